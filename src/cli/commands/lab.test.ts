// `vigil lab`: --list, bad flags (exit 2), and a real start → lab.json → SIGINT → exit 0 in a child.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { main } from '../main.js';

function sink() {
  let text = '';
  const stream = new Writable({ write(c, _e, cb) { text += c; cb(); } });
  return { stream, text: () => text };
}

test('vigil lab --list names every scenario', async () => {
  const out = sink();
  const err = sink();
  assert.equal(await main(['lab', '--list'], { stdout: out.stream, stderr: err.stream }), 0);
  assert.match(out.text(), /^venezuela-2020 /m);
  assert.match(out.text(), /^site-down /m);
});

test('vigil lab: unknown scenario or bad flag is a usage error', async () => {
  for (const args of [['lab', '--scenario', 'nope'], ['lab', '--speed', 'fast'], ['lab', '--bogus']]) {
    const err = sink();
    assert.equal(await main(args, { stdout: sink().stream, stderr: err.stream }), 2, args.join(' '));
    assert.match(err.text(), /^vigil: /);
  }
});

test('vigil lab starts, prints where things are, stops on SIGINT', { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/vigil', 'lab', '--scenario', 'sni-reset', '--speed', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VIGIL_FROM_SOURCE: '1' } });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('Ctrl-C stops the lab.')) resolve();
    });
    child.once('exit', (c) => reject(new Error(`exited ${c}: ${err}`)));
  });
  const infoPath = /with a ready NetEnv per network: (\S+)/.exec(out)![1];
  const info = JSON.parse(readFileSync(infoPath, 'utf8'));
  assert.deepEqual(info.networks.map((n: { name: string }) => n.name), ['CANTV', 'Movistar', 'Digitel']);
  assert.match(info.helperUrl, /^http:\/\/127\.90\.0\.10:\d+\/$/);
  assert.equal(info.networks[0].env.localAddress, '127.80.1.1');
  const code = await new Promise<number | null>((resolve) => {
    child.once('exit', (c) => resolve(c));
    child.kill('SIGINT');
  });
  assert.equal(code, 0, err);
  assert.match(out, /vigil lab: stopped/);
});
