import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebhookNotifier, notifyChanges, sign } from './webhooks.js';
import { sampleIncident } from '../test-support/sample-incident.js';

interface Got { headers: IncomingMessage['headers']; body: string }

async function receiver(failFirst: number) {
  const got: Got[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      n++;
      if (n <= failFirst) { res.statusCode = 503; res.end(); return; }
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { got, url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('a receiver gets signed open and resolve events, after retries', async () => {
  const r = await receiver(2);
  const secret = 's3cret-key';
  const n = new WebhookNotifier({ targets: [{ url: r.url, secret }], baseDelayMs: 1, retries: 3 });
  const open = { ...sampleIncident(), status: 'ongoing' as const, end: null };
  const d = await notifyChanges(n, { opened: [open], updated: [], resolved: [sampleIncident()] });
  await r.close();
  assert.deepEqual(d.map((x) => [x.event, x.ok]), [['incident.opened', true], ['incident.resolved', true]]);
  assert.equal(d[0].attempts, 3);
  assert.equal(r.got.length, 2);
  for (const g of r.got) {
    const expected = 'sha256=' + createHmac('sha256', secret).update(g.body).digest('hex');
    assert.equal(g.headers['x-vigil-signature'], expected);
    assert.equal(sign(secret, g.body), expected);
  }
  assert.equal(JSON.parse(r.got[0].body).event, 'incident.opened');
  assert.equal(JSON.parse(r.got[1].body).incident.status, 'resolved');
});

test('deliveries that never succeed go to the dead-letter log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-wh-'));
  try {
    const r = await receiver(100);
    const dl = join(dir, 'dead.jsonl');
    const n = new WebhookNotifier({ targets: [{ url: r.url, secret: 'x'.repeat(8) }], baseDelayMs: 1, retries: 2, deadLetterPath: dl });
    const [d] = await n.notify('incident.opened', sampleIncident());
    await r.close();
    assert.equal(d.ok, false);
    assert.equal(d.attempts, 3);
    assert.ok(existsSync(dl));
    const line = JSON.parse(readFileSync(dl, 'utf8').trim());
    assert.equal(line.event, 'incident.opened');
    assert.equal(line.body.incident.id, sampleIncident().id);
    // an unreachable receiver (nothing listens) also ends in the dead-letter log, not a throw
    const n2 = new WebhookNotifier({ targets: [{ url: r.url, secret: 'x'.repeat(8) }], baseDelayMs: 1, retries: 1, deadLetterPath: dl });
    const [d2] = await n2.notify('incident.resolved', sampleIncident());
    assert.equal(d2.ok, false);
    assert.equal(readFileSync(dl, 'utf8').trim().split('\n').length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
