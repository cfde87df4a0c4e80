import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tcpConnect } from './tcp.js';
import { defaultNetEnv } from './env.js';
import { Trace } from './trace.js';

test('publicOnly: no connection to a non-public address (the helper is no proxy into its network)', async () => {
  let accepted = 0;
  const server = net.createServer((s) => { accepted++; s.destroy(); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    const trace = new Trace();
    const refused = await tcpConnect('127.0.0.1', port, defaultNetEnv({ publicOnly: true }), trace);
    assert.equal(refused.socket, null);
    assert.equal(refused.failure, 'unknown_failure: refused: not a public address');
    assert.equal(trace.tcp[0].status.success, false);
    const ok = await tcpConnect('127.0.0.1', port, defaultNetEnv(), trace);
    assert.ok(ok.socket);
    ok.socket!.destroy();
    for (let i = 0; i < 100 && accepted < 1; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(accepted, 1, 'only the unrestricted connect reached the server');
    trace.close();
  } finally {
    server.close();
  }
});
