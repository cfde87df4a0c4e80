// The scenario clock: a virtual `Clock` (src/model/time.ts) so a 6-hour scenario runs in seconds.
// Two ways to move it: `advance(ms)`/`set(t)` (tests, the demo's step loop), or `run(speed)` where
// virtual time flows `speed` times faster than real time (manual runs of `vigil lab`).
import type { Clock } from '../model/time.js';

export class LabClock implements Clock {
  private base: number;
  private realBase = 0;
  private speed = 0;

  constructor(start: number | Date | string) {
    const t = typeof start === 'number' ? start : new Date(start).getTime();
    if (!Number.isFinite(t)) throw new RangeError(`LabClock: not a time: ${String(start)}`);
    this.base = t;
  }

  now(): number {
    if (this.speed === 0) return this.base;
    return this.base + (performance.now() - this.realBase) * this.speed;
  }

  /** Moves virtual time forward (never backward: the censor's schedule assumes monotonic time). */
  advance(ms: number): number {
    if (!(ms >= 0)) throw new RangeError(`LabClock.advance: ms must be >= 0 (got ${ms})`);
    this.rebase();
    this.base += ms;
    return this.base;
  }

  set(t: number | Date | string): void {
    const v = typeof t === 'number' ? t : new Date(t).getTime();
    if (!Number.isFinite(v)) throw new RangeError(`LabClock.set: not a time: ${String(t)}`);
    this.rebase();
    this.base = v;
  }

  /** speed 0 freezes the clock; speed 60 makes a virtual hour pass in a real minute. */
  run(speed: number): void {
    if (!(speed >= 0)) throw new RangeError(`LabClock.run: speed must be >= 0 (got ${speed})`);
    this.rebase();
    this.speed = speed;
  }

  private rebase(): void {
    this.base = this.now();
    this.realBase = performance.now();
  }
}
