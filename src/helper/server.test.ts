import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMiniLab } from '../probe/testing/minilab.js';
import { validate } from '../model/validate.js';
import { WebConnectivityControl } from '../model/measurement.js';
import { parseControlQuery } from './server.js';

const lab = await startMiniLab(['www.site.test']);
after(() => lab.close());

const post = (body: string) => fetch(lab.helperUrl, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });

test('answers in OONI control shape: dns, tcp_connect, tls_handshake, http_request', async () => {
  const res = await post(JSON.stringify({ http_request: 'https://www.site.test/', tcp_connect: ['127.0.0.1:443', '127.0.0.2:443'], http_request_headers: { 'User-Agent': ['x'] } }));
  assert.equal(res.status, 200);
  const a = await res.json();
  assert.ok(validate(WebConnectivityControl, a).ok);
  assert.deepEqual(a.dns, { failure: null, addrs: ['127.0.0.1'] });
  assert.deepEqual(a.tcp_connect['127.0.0.1:443'], { status: true, failure: null });
  assert.deepEqual(a.tcp_connect['127.0.0.2:443'], { status: false, failure: 'connection_refused' });
  assert.deepEqual(a.tls_handshake['127.0.0.1:443'], { server_name: 'www.site.test', status: true, failure: null });
  assert.equal(a.http_request.status_code, 200);
  assert.equal(a.http_request.title, 'Welcome to www.site.test');
  assert.equal(a.http_request.failure, null);
  assert.ok(a.http_request.body_length > 100);
});

test('a name that does not resolve: dns failure, http failure, no crash', async () => {
  const a = await (await post(JSON.stringify({ http_request: 'http://nowhere.test/', tcp_connect: [] }))).json();
  assert.equal(a.dns.failure, 'dns_nxdomain_error');
  assert.equal(a.http_request.failure, 'dns_nxdomain_error');
  assert.equal(a.http_request.status_code, -1);
});

test('bad requests get 400 with a reason; oversized 413; GET is health', async () => {
  for (const [body, re] of [['{nope', /invalid JSON/], ['[]', /JSON object/], ['{"http_request":"ftp://x/"}', /http and https/], ['{"http_request":"http://x/","tcp_connect":["x:y"]}', /ip:port/], ['{"http_request":"http://x/","tcp_connect":[],"http_request_headers":{"a":[1]}}', /array of strings/]] as const) {
    const res = await post(body);
    assert.equal(res.status, 400, body);
    assert.match((await res.json()).error, re);
  }
  const big = await post(JSON.stringify({ http_request: 'http://x/', pad: 'x'.repeat(20000) })).catch(() => null);
  assert.ok(big === null || big.status === 413);
  const h = await fetch(lab.helperUrl);
  assert.equal(h.status, 200);
});

test('parseControlQuery is strict about endpoints', () => {
  assert.equal(typeof parseControlQuery({ http_request: 'http://a/', tcp_connect: ['[::1]:80', '1.2.3.4:443'] }), 'object');
  assert.match(String(parseControlQuery({ http_request: 'http://a/', tcp_connect: ['host.example:80'] })), /ip:port/);
  assert.match(String(parseControlQuery({ http_request: 'http://a/', tcp_connect: Array(65).fill('1.2.3.4:1') })), /at most 64/);
});
