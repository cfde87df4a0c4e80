// The quoting functions: exact output for known cases, refusal of everything that is not a
// string or finite number, and a round trip through a real clickhouse-server (18.16) for
// hostile and random strings: what goes into a literal is what comes back, byte for byte.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createClient, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import { quoteString, quoteNumber, quoteInt, quoteList, quoteIdent, quoteValue, wellFormed } from './sql.js';
import { startClickHouse, clickHouseSkip, type ClickHouseServer } from './test-server.js';
import { HOSTILE } from '../shared-suite.js';

test('quoteString escapes backslash, quote and NUL only', () => {
  assert.equal(quoteString(''), `''`);
  assert.equal(quoteString(`it's`), `'it\\'s'`);
  assert.equal(quoteString('a\\b'), `'a\\\\b'`);
  assert.equal(quoteString(`\\'`), `'\\\\\\''`);
  assert.equal(quoteString('x\u0000y'), `'x\\0y'`);
  assert.equal(quoteString('é 💥\n'), `'é 💥\n'`);
});

test('quoteString refuses non-strings and lone surrogates', () => {
  for (const v of [1, null, undefined, {}, [], true, 1n, Symbol('s')]) assert.throws(() => quoteString(v), /cannot be used/);
  assert.throws(() => quoteString('a\ud800b'), /surrogate/);
  assert.throws(() => quoteString('\udc00'), /surrogate/);
  assert.equal(quoteString('\ud83d\udca5'), `'\ud83d\udca5'`);
  assert.equal(wellFormed('\ud83d\udca5'), true);
  assert.equal(wellFormed('\ud83d'), false);
});

test('quoteNumber / quoteInt accept finite safe numbers only', () => {
  assert.equal(quoteNumber(0), '0');
  assert.equal(quoteNumber(-0), '0');
  assert.equal(quoteNumber(-12), '-12');
  assert.equal(quoteNumber(0.125), '0.125');
  assert.equal(quoteNumber(1e-7), '1e-7');
  assert.equal(quoteInt(1.2), '2');
  assert.equal(quoteInt(-1.5), '-1');
  for (const v of [NaN, Infinity, -Infinity, 2 ** 60, '1', null, 1n]) assert.throws(() => quoteNumber(v), /cannot be used/);
  assert.throws(() => quoteInt('3'), /cannot be used/);
});

test('quoteValue, quoteList and quoteIdent', () => {
  assert.equal(quoteValue('a'), `'a'`);
  assert.equal(quoteValue(3), '3');
  assert.throws(() => quoteValue(false), /cannot be used/);
  assert.equal(quoteList(['a', 1, `'`]), `('a', 1, '\\'')`);
  assert.throws(() => quoteList([]), /empty/);
  assert.throws(() => quoteList(['a', {}]), /cannot be used/);
  assert.equal(quoteIdent('vigil_1'), '`vigil_1`');
  for (const v of ['1x', 'a-b', 'a`b', '', 'x'.repeat(65), 'a b', 7]) assert.throws(() => quoteIdent(v), /cannot be used/);
});

describe('quoting round-trips through a real ClickHouse', { skip: clickHouseSkip() }, () => {
  let server: ClickHouseServer;
  let client: ClickHouseClient;
  before(async () => {
    server = await startClickHouse();
    client = createClient({ url: `http://127.0.0.1:${server.httpPort}`, log: { level: ClickHouseLogLevel.OFF } });
  });
  after(async () => {
    await client?.close();
    await server?.stop();
  });

  async function roundTrip(values: string[]): Promise<string[]> {
    // One query for many values; hex() shows the server's bytes, compared with Node's UTF-8.
    const sql = `SELECT ${values.map((v, i) => `hex(${quoteString(v)}) AS c${i}`).join(', ')}`;
    const rs = await client.query({ query: sql, format: 'JSONEachRow' });
    const [row] = await rs.json<Record<string, string>>();
    return values.map((_, i) => row[`c${i}`]);
  }
  const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex').toUpperCase();

  test('hostile strings come back byte for byte', async () => {
    const values = [...HOSTILE, `\\`, `'`, `\\'`, `'\\`, `\\0`, `\\x41`, `\\n`, '\u0000', '\t\r\n', `';--`, '\u007f\u0080\uffff'];
    assert.deepEqual(await roundTrip(values), values.map(hex));
  });

  test('random strings come back byte for byte (property, 300 cases)', async () => {
    const values = fc.sample(fc.string({ unit: fc.constantFrom('\\', "'", '"', '\u0000', 'a', '\n', '`', '{', '?', 'é', '💥', '\u202e') }), 150)
      .concat(fc.sample(fc.string({ unit: 'grapheme', maxLength: 30 }), 150));
    assert.deepEqual(await roundTrip(values), values.map(hex));
  });

  test('numbers come back equal', async () => {
    const nums = [0, -1, 42, 2 ** 53 - 1, -(2 ** 53 - 1), 0.125, -3.5, 1e-7, 123456.789];
    const rs = await client.query({ query: `SELECT ${nums.map((n, i) => `toFloat64(${quoteNumber(n)}) AS c${i}`).join(', ')}`, format: 'JSONEachRow' });
    const [row] = await rs.json<Record<string, number>>();
    assert.deepEqual(nums.map((_, i) => Number(row[`c${i}`])), nums);
  });
});
