import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DebouncedRunner } from './detect-hook.js';

test('a burst of triggers runs detection once now and once after, never concurrently', async () => {
  let active = 0;
  let maxActive = 0;
  let release!: () => void;
  let gate = new Promise<void>((r) => { release = r; });
  const r = new DebouncedRunner(async () => {
    active++;
    maxActive = Math.max(maxActive, active);
    await gate;
    active--;
  }, 20);
  for (let i = 0; i < 50; i++) r.trigger();
  assert.equal(r.runs, 1);
  gate = Promise.resolve();
  release();
  await r.idle();
  assert.equal(r.runs, 2); // the trailing run for data that arrived during the first
  assert.equal(maxActive, 1);
  await r.idle();
  assert.equal(r.runs, 2); // nothing more without new triggers
  await r.stop();
  r.trigger();
  await r.idle();
  assert.equal(r.runs, 2);
});

test('a failing run is reported and does not stop later runs', async () => {
  const errors: unknown[] = [];
  let n = 0;
  const r = new DebouncedRunner(async () => {
    n++;
    if (n === 1) throw new Error('boom');
  }, 1, (e) => errors.push(e));
  r.trigger();
  await r.idle();
  r.trigger();
  await r.idle();
  assert.equal(n, 2);
  assert.equal(errors.length, 1);
  await r.stop();
});
