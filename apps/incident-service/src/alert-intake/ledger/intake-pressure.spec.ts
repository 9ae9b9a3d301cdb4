import { IntakePressure } from './intake-pressure';

const pressureOf = (inFlight: number, arrivalsPerSecond: number, holdMs: number) =>
  new IntakePressure({ inFlight, arrivalsPerSecond, holdMs });

describe(IntakePressure.name, () => {
  it('is not high while at most `inFlight` deliveries are admitted at once and at most `arrivalsPerSecond` arrive per second', () => {
    const pressure = pressureOf(3, 5, 1_000);
    for (let i = 0; i < 3; i++) pressure.enter(0);
    expect(pressure.isHigh(0)).toBe(false);
    for (let i = 0; i < 3; i++) pressure.leave();
    pressure.enter(500);
    pressure.enter(999); // 5 arrivals in the second that began at 0
    expect(pressure.isHigh(999)).toBe(false);
    pressure.enter(1_000); // a new second
    expect(pressure.isHigh(1_000)).toBe(false);
    expect(pressure.admitting).toBe(3);
  });

  it('is high beyond `inFlight`, and stays high for holdMs after the last delivery that exceeded it', () => {
    const pressure = pressureOf(2, 1_000, 1_000);
    pressure.enter(0);
    pressure.enter(0);
    pressure.enter(100); // 3 in flight > 2
    expect(pressure.isHigh(100)).toBe(true);
    for (let i = 0; i < 3; i++) pressure.leave();
    expect(pressure.admitting).toBe(0);
    expect(pressure.isHigh(1_099)).toBe(true);
    expect(pressure.isHigh(1_100)).toBe(false);
  });

  it('is high beyond `arrivalsPerSecond` even when each delivery is admitted before the next arrives', () => {
    const pressure = pressureOf(8, 10, 1_000);
    for (let i = 0; i < 10; i++) {
      pressure.enter(i * 50);
      pressure.leave();
    }
    expect(pressure.isHigh(500)).toBe(false);
    pressure.enter(550); // the 11th within a second
    pressure.leave();
    expect(pressure.isHigh(550)).toBe(true);
    expect(pressure.isHigh(1_549)).toBe(true);
    expect(pressure.isHigh(1_550)).toBe(false);
  });

  it('never counts below zero when left more often than entered', () => {
    const pressure = pressureOf(1, 100, 0);
    pressure.leave();
    pressure.enter(0);
    expect(pressure.admitting).toBe(1);
    expect(pressure.isHigh(0)).toBe(false);
  });

  it('refuses limits below 1 and a negative hold', () => {
    expect(() => pressureOf(0, 100, 1_000)).toThrow(RangeError);
    expect(() => pressureOf(1.5, 100, 1_000)).toThrow(RangeError);
    expect(() => pressureOf(8, 0, 1_000)).toThrow(RangeError);
    expect(() => pressureOf(8, 100, -1)).toThrow(RangeError);
  });
});
