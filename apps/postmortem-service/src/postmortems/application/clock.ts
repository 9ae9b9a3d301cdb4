import { Injectable } from '@nestjs/common';

/** The service's clock; tests override the provider with a fixed or movable one. */
export abstract class Clock {
  abstract now(): Date;
}

/** The wall clock. */
@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
