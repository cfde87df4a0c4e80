// `vigil helper` as a process: the control helper plus, with --whoami-port, the whoami DNS zone
// that tells a probe which resolver asked (issue 10 §3); stops cleanly on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { repoPath } from '../../model/paths.js';

test('vigil helper --whoami-port: the control helper and the whoami zone, then a clean stop', { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, [repoPath('bin', 'vigil'), 'helper', '--port', '0', '--whoami-port', '0', '--whoami-zone', 'whoami.test.invalid'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VIGIL_FROM_SOURCE: '1' } });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  try {
    const [helperUrl, whoPort] = await new Promise<[string, number]>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const h = /control helper listening on (\S+)/.exec(out);
        const w = /whoami DNS for whoami\.test\.invalid on 127\.0\.0\.1:(\d+)\/udp/.exec(out);
        if (h && w) resolve([h[1], Number(w[1])]);
      });
      child.once('exit', (c) => reject(new Error(`exited ${c}: ${err}`)));
    });
    // a bad control request is a 400 with a reason: the helper is up
    const r = await fetch(helperUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"nope":1}' });
    assert.equal(r.status, 400);
    // the whoami zone answers with the address the query came from
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((res) => sock.bind(0, '127.0.0.7', () => res()));
    const answer = new Promise<dnsPacket.Packet>((res) => sock.once('message', (m) => res(dnsPacket.decode(m))));
    sock.send(dnsPacket.encode({ type: 'query', id: 42, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'n1.whoami.test.invalid' }] }), whoPort, '127.0.0.1');
    const p = await answer;
    sock.close();
    assert.equal(p.id, 42);
    assert.equal((p.answers?.[0] as { data?: string }).data, '127.0.0.7');
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, err);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
