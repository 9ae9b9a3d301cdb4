import { Clock } from '../application/clock';

/** A clock that stands still until a test moves it. */
export class FixedClock extends Clock {
  constructor(private current: Date) {
    super();
  }

  now(): Date {
    return new Date(this.current.getTime());
  }

  set(now: Date): void {
    this.current = now;
  }
}
