import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, NetError } from './classify.js';
import { isBogon } from './bogon.js';

const err = (code: string, message = code) => Object.assign(new Error(message), { code });

test('common errors map the same on every layer', () => {
  for (const layer of ['dns', 'tcp', 'tls', 'http'] as const) {
    assert.equal(classify(layer, err('ECONNREFUSED')), 'connection_refused');
    assert.equal(classify(layer, err('ETIMEDOUT')), 'generic_timeout_error');
    assert.equal(classify(layer, new NetError('VIGIL_TIMEOUT')), 'generic_timeout_error');
    assert.equal(classify(layer, err('EHOSTUNREACH')), 'host_unreachable');
    assert.equal(classify(layer, err('ENETUNREACH')), 'network_unreachable');
    assert.equal(classify(layer, new NetError('VIGIL_EOF')), 'eof_error');
  }
  assert.equal(classify('tcp', err('ECONNRESET', 'read ECONNRESET')), 'connection_reset');
  assert.equal(classify('tcp', err('EPIPE')), 'connection_reset');
});

test('dns layer', () => {
  assert.equal(classify('dns', err('ENOTFOUND', 'getaddrinfo ENOTFOUND x.invalid')), 'dns_nxdomain_error');
  assert.equal(classify('dns', err('ENODATA')), 'dns_no_answer');
  assert.equal(classify('dns', err('ESERVFAIL')), 'dns_servfail_error');
  assert.equal(classify('dns', err('EAI_AGAIN')), 'dns_servfail_error');
  assert.equal(classify('dns', err('EREFUSED')), 'dns_refused_error');
  assert.equal(classify('dns', new NetError('VIGIL_BOGON')), 'dns_bogon_error');
  // ENOTFOUND means NXDOMAIN only for DNS
  assert.match(classify('tcp', err('ENOTFOUND')), /^unknown_failure: ENOTFOUND/);
});

test('tls layer: certificate errors', () => {
  assert.equal(classify('tls', err('ERR_TLS_CERT_ALTNAME_INVALID')), 'ssl_invalid_hostname');
  assert.equal(classify('tls', err('UNABLE_TO_VERIFY_LEAF_SIGNATURE')), 'ssl_unknown_authority');
  assert.equal(classify('tls', err('SELF_SIGNED_CERT_IN_CHAIN')), 'ssl_unknown_authority');
  assert.equal(classify('tls', err('DEPTH_ZERO_SELF_SIGNED_CERT')), 'ssl_unknown_authority');
  assert.equal(classify('tls', err('UNABLE_TO_GET_ISSUER_CERT_LOCALLY')), 'ssl_unknown_authority');
  assert.equal(classify('tls', err('CERT_HAS_EXPIRED')), 'ssl_invalid_certificate');
  assert.equal(classify('tls', err('CERT_NOT_YET_VALID')), 'ssl_invalid_certificate');
  assert.equal(classify('tls', err('EPROTO', 'write EPROTO ... wrong version number')), 'ssl_failed_handshake');
  assert.equal(classify('tls', err('ERR_SSL_WRONG_VERSION_NUMBER')), 'ssl_failed_handshake');
  assert.equal(classify('tls', err('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE')), 'ssl_failed_handshake');
});

test('tls layer: FIN vs RST during the handshake', () => {
  assert.equal(classify('tls', err('ECONNRESET', 'Client network socket disconnected before secure TLS connection was established')), 'eof_error');
  assert.equal(classify('tls', err('ECONNRESET', 'read ECONNRESET')), 'connection_reset');
});

test('http layer', () => {
  assert.equal(classify('http', err('ECONNRESET', 'socket hang up')), 'eof_error');
  assert.equal(classify('http', err('ECONNRESET', 'read ECONNRESET')), 'connection_reset');
  assert.equal(classify('http', new NetError('VIGIL_HEADERS_TOO_LARGE')), 'unknown_failure: http_headers_too_large');
  assert.equal(classify('http', err('HPE_HEADER_OVERFLOW')), 'unknown_failure: http_headers_too_large');
  assert.equal(classify('http', new NetError('VIGIL_TOO_MANY_REDIRECTS')), 'unknown_failure: stopped_after_10_redirects');
});

test('unknown errors keep their detail, on one line', () => {
  assert.equal(classify('tcp', err('EWEIRD', 'a\nb')), 'unknown_failure: EWEIRD: a b');
  assert.equal(classify('tcp', 'plain string'), 'unknown_failure: plain string');
  assert.equal(classify('tcp', err('', 'operation timed out')), 'generic_timeout_error');
});

test('bogons', () => {
  for (const ip of ['10.1.2.3', '192.168.0.1', '172.16.5.5', '0.0.0.0', '169.254.1.1', '100.64.0.1', '127.0.0.1', '::1', 'fe80::1', 'fc00::1', '::ffff:10.0.0.1']) assert.equal(isBogon(ip), true, ip);
  for (const ip of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2a03:2880::1']) assert.equal(isBogon(ip), false, ip);
  assert.equal(isBogon('127.0.0.5', true), false);
  assert.equal(isBogon('10.0.0.1', true), true);
  assert.equal(isBogon('not an ip'), false);
});
