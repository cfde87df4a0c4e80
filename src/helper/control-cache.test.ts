import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControlCache } from './control-cache.js';

const q = (url: string, eps: string[]) => ({ http_request: url, tcp_connect: eps });

test('identical requests within the ttl share one measurement; others do not', async () => {
  let now = 0;
  let runs = 0;
  const c = new ControlCache(1000, 100, () => now);
  const measure = async () => ({ http_request: { body_length: ++runs, failure: null } });
  const a = await c.get(q('https://a/', ['1.1.1.1:443', '2.2.2.2:443']), measure);
  const b = await c.get(q('https://a/', ['2.2.2.2:443', '1.1.1.1:443']), measure); // endpoint order does not matter
  assert.equal(a, b);
  assert.equal(runs, 1);
  await c.get(q('https://b/', ['1.1.1.1:443']), measure);
  assert.equal(runs, 2);
  now = 1500;
  await c.get(q('https://a/', ['1.1.1.1:443', '2.2.2.2:443']), measure);
  assert.equal(runs, 3, 'expired entries are measured again');
  assert.deepEqual([c.hits, c.misses], [1, 3]);
});

test('concurrent identical requests are coalesced; failures are not cached; ttl 0 is off; size bounded', async () => {
  let runs = 0;
  const c = new ControlCache(60_000, 2);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const slow = async () => { runs++; await gate; return { dns: { failure: null, addrs: [] } }; };
  const p = Promise.all([c.get(q('https://x/', []), slow), c.get(q('https://x/', []), slow)]);
  release();
  await p;
  assert.equal(runs, 1);
  await assert.rejects(c.get(q('https://f/', []), async () => { throw new Error('boom'); }));
  await new Promise((r) => setImmediate(r));
  let ok = 0;
  await c.get(q('https://f/', []), async () => { ok++; return {}; });
  assert.equal(ok, 1, 'a failure was not served from the cache');
  await c.get(q('https://y/', []), async () => ({}));
  await c.get(q('https://z/', []), async () => ({}));
  let again = 0;
  await c.get(q('https://x/', []), async () => { again++; return {}; });
  assert.equal(again, 1, 'oldest entries are evicted beyond maxEntries');
  const off = new ControlCache(0);
  let n = 0;
  await off.get(q('https://x/', []), async () => { n++; return {}; });
  await off.get(q('https://x/', []), async () => { n++; return {}; });
  assert.equal(n, 2);
});
