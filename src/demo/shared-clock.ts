// A virtual clock shared between threads: the demo's lab (censor, collector) runs in the main
// thread and the probes in a worker, and both must agree on the scenario's time. The time (whole
// milliseconds) lives in a SharedArrayBuffer read and written with Atomics; only the main thread
// moves it, and only forward.
import type { Clock } from '../model/time.js';

export class SharedClock implements Clock {
  readonly buffer: SharedArrayBuffer;
  private readonly cell: BigInt64Array;

  constructor(startOrBuffer: number | SharedArrayBuffer) {
    this.buffer = typeof startOrBuffer === 'number' ? new SharedArrayBuffer(8) : startOrBuffer;
    this.cell = new BigInt64Array(this.buffer);
    if (typeof startOrBuffer === 'number') Atomics.store(this.cell, 0, BigInt(Math.floor(startOrBuffer)));
  }

  now(): number {
    return Number(Atomics.load(this.cell, 0));
  }

  set(ms: number): void {
    const v = BigInt(Math.floor(ms));
    if (v < Atomics.load(this.cell, 0)) throw new RangeError('SharedClock only moves forward');
    Atomics.store(this.cell, 0, v);
  }
}
