import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvents } from './events.js';

test('events from JSON array, {events}, and CSV with quotes', () => {
  const a = parseEvents('[{"time":"2020-01-05 15:00:00","label":"Assembly votes"}]');
  assert.deepEqual(a, [{ t: Date.UTC(2020, 0, 5, 15) / 1000, label: 'Assembly votes' }]);
  const b = parseEvents('{"events":[{"time":"2020-01-05T16:00:00Z","label":"b"},{"time":"2020-01-05T15:00:00Z","label":"a"}]}');
  assert.deepEqual(b.map((e) => e.label), ['a', 'b']);
  const c = parseEvents('time,label\n2020-01-05T15:00:00Z,"National Assembly votes, for its speaker"\n');
  assert.equal(c[0].label, 'National Assembly votes, for its speaker');
});

test('bad events files give one clear error', () => {
  assert.throws(() => parseEvents('{"events": 3}'), /expected an array/);
  assert.throws(() => parseEvents('[{"time":"not a time","label":"x"}]'), /not a time/);
  assert.throws(() => parseEvents('[{"time":"2020-01-01","label":""}]'), /label/);
  assert.throws(() => parseEvents('when,what\n1,2'), /header/);
  assert.throws(() => parseEvents('[1'), /invalid JSON/);
});
