import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { atomFeed } from './atom.js';
import { sampleIncident } from '../test-support/sample-incident.js';

const schema = join(dirname(fileURLToPath(import.meta.url)), 'atom.rnc');
const hasJing = spawnSync('jing', [], { stdio: 'ignore' }).error === undefined;

function validate(xml: string): { ok: boolean; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-atom-'));
  try {
    const f = join(dir, 'feed.atom');
    writeFileSync(f, xml);
    const r = spawnSync('jing', ['-c', schema, f], { encoding: 'utf8' });
    return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the Atom feed validates against the RFC 4287 schema (jing)', { skip: !hasJing && !process.env.CI ? 'jing not installed' : false }, () => {
  const a = sampleIncident();
  const b = { ...sampleIncident(), id: 'inc-2', end: null, status: 'ongoing' as const, summary: 'Telegram <restricted> & "more" on X', updated_at: '2020-01-06T10:00:00Z' };
  const r = validate(atomFeed([a, b], { baseUrl: 'http://127.0.0.1:8080/', now: Date.UTC(2020, 0, 6) }));
  assert.ok(r.ok, r.out);
  const empty = validate(atomFeed([], { baseUrl: 'http://127.0.0.1:8080', now: Date.UTC(2020, 0, 6) }));
  assert.ok(empty.ok, empty.out);
});

test('the validator rejects a broken feed (the validation test can fail)', { skip: !hasJing && !process.env.CI ? 'jing not installed' : false }, () => {
  const xml = atomFeed([sampleIncident()], { baseUrl: 'http://x', now: 0 }).replace(/<id>urn:vigil[^<]*<\/id>/, '');
  assert.equal(validate(xml).ok, false);
});

test('one entry per incident, newest update first, revised incidents move up', () => {
  const a = { ...sampleIncident(), id: 'a', updated_at: '2020-01-05T18:00:00Z' };
  const b = { ...sampleIncident(), id: 'b', updated_at: '2020-01-05T19:00:00Z' };
  const xml = atomFeed([a, b], { baseUrl: 'http://h', now: 0 });
  assert.equal(xml.match(/<entry>/g)?.length, 2);
  assert.ok(xml.indexOf('urn:vigil:incident:b') < xml.indexOf('urn:vigil:incident:a'));
  assert.match(xml, /<updated>2020-01-05T19:00:00Z<\/updated>\n {2}<author>/);
  execFileSync('xmllint', ['--noout', '-'], { input: xml });
});
