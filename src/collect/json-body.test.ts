// Property tests for the body parser: whatever bytes arrive, it returns a value or throws a
// BodyError with a 4xx (never anything else), and on valid JSON it agrees with JSON.parse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseJsonBody, jsonDepth, forbiddenKey, BodyError, MAX_DEPTH } from './json-body.js';

function depthOf(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  const kids = Array.isArray(v) ? v : Object.values(v);
  return 1 + kids.reduce((m: number, k) => Math.max(m, depthOf(k)), 0);
}

test('any bytes: a value or a BodyError with a 4xx, nothing else', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
    try {
      parseJsonBody(Buffer.from(bytes));
    } catch (e) {
      assert.ok(e instanceof BodyError, String(e));
      assert.ok(e.statusCode >= 400 && e.statusCode < 500);
      assert.ok(e.reason.length > 0 && !e.reason.includes('\n'));
    }
  }), { numRuns: 2000 });
});

test('valid JSON round-trips, and the depth scan matches the real depth (strings with brackets included)', () => {
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 8 }), (v) => {
    const text = JSON.stringify(v);
    assert.equal(jsonDepth(text), depthOf(v));
    assert.deepEqual(parseJsonBody(Buffer.from(text)), JSON.parse(text));
  }), { numRuns: 1000 });
  assert.equal(jsonDepth('{"a": "[[[{{{\\"]]]", "b": [[1]]}'), 3);
});

test('nesting beyond the limit is refused before parsing; at the limit it is fine', () => {
  const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
  assert.deepEqual(parseJsonBody(Buffer.from(nest(MAX_DEPTH))) !== undefined, true);
  assert.throws(() => parseJsonBody(Buffer.from(nest(MAX_DEPTH + 1))), /nested deeper/);
  assert.throws(() => parseJsonBody(Buffer.from('{"a":'.repeat(1_000_000))), /nested deeper/);
});

test('prototype keys are found wherever they are', () => {
  assert.equal(forbiddenKey(JSON.parse('{"a": [{"b": {"__proto__": 1}}]}')), '/a/0/b/__proto__');
  assert.equal(forbiddenKey(JSON.parse('{"x": {"constructor": {"prototype": {}}}}')), '/x/constructor/prototype');
  assert.equal(forbiddenKey(JSON.parse('{"constructor": "fine", "proto": 1}')), null);
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 5 }), (v) => {
    const text = JSON.stringify(v);
    if (!text.includes('__proto__') && !text.includes('constructor')) assert.equal(forbiddenKey(v), null);
  }), { numRuns: 500 });
});
