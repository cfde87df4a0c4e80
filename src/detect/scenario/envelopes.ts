// OONI envelopes for generated measurements: df-000 fields plus test_keys shaped like the real
// samples in ../shared/data/ooni-samples (web_connectivity v0.4 keys, the IM tests' requests /
// tcp_connect / queries, Vigil's vigil_throughput samples). Each outcome reproduces one pattern
// the analyzer (src/analyze) recognizes; scenario.test.ts checks that it does.
import type { Observation } from '../../model/observation.js';
import { ooniTime } from '../../model/time.js';

export type Outcome = 'ok' | 'dns' | 'tcp' | 'tls' | 'http' | 'control_failure' | 'offline' | 'throttle';

interface Spec {
  outcome: Outcome;
  input: string | null;
  report_id: string;
  ratio: number | null;
}

// Stable per-host addresses (documentation ranges would be bogons; these are the sites' real
// public prefixes' style, never contacted: the data is only ever read).
const HOST_IP: Record<string, string> = {
  'twitter.com': '104.244.42.1', 'www.instagram.com': '157.240.1.174', 'www.youtube.com': '142.250.78.14',
  'www.facebook.com': '157.240.1.35', 'www.tiktok.com': '23.40.57.91', 'www.wikipedia.org': '208.80.154.224',
  'www.bbc.com': '151.101.0.81', 'www.eluniversal.com': '104.18.20.36',
};

const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/87.0.4280.141 Safari/537.36';

function dnsQuery(host: string, ip: string | null, failure: string | null) {
  return {
    answers: ip ? [{ answer_type: 'A', ipv4: ip, ttl: 300 }] : null,
    engine: 'system', failure, hostname: host, query_type: 'A', resolver_hostname: null, resolver_port: null, t: 0.012,
  };
}
const tcp = (ip: string, port: number, failure: string | null) => ({ ip, port, status: { blocked: failure !== null, failure, success: failure === null }, t: 0.05 });
const tls = (ip: string, host: string, failure: string | null) => ({
  address: `${ip}:443`, cipher_suite: failure ? '' : 'TLS_AES_128_GCM_SHA256', failure, negotiated_protocol: failure ? '' : 'h2',
  no_tls_verify: false, peer_certificates: failure ? null : [], server_name: host, tls_version: failure ? '' : 'TLSv1.3', t: 0.11,
});
function request(url: string, failure: string | null, body?: string) {
  return {
    failure,
    request: { body: '', headers: { Accept: 'text/html', 'User-Agent': UA }, method: 'GET', tor: { is_tor: false }, url },
    response: failure ? null : { body: body ?? '', code: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body_is_truncated: false },
    t: 0.3,
  };
}

function page(host: string): string {
  return `<!DOCTYPE html><html><head><title>${host}</title></head><body>${'<p>content</p>'.repeat(40)}</body></html>`;
}

function webConnectivity(input: string, outcome: Outcome) {
  const u = new URL(input);
  const host = u.hostname;
  const ip = HOST_IP[host] ?? '93.184.216.34';
  const body = page(host);
  const control = {
    dns: { addrs: [ip], failure: null },
    tcp_connect: { [`${ip}:443`]: { failure: null, status: true } },
    tls_handshake: { [`${ip}:443`]: { failure: null, server_name: host, status: true } },
    http_request: { body_length: body.length, failure: null, headers: { 'Content-Type': 'text/html' }, status_code: 200, title: host },
  };
  const base = { client_resolver: '200.44.32.12', control, control_failure: null as string | null, dns_experiment_failure: null as string | null, http_experiment_failure: null as string | null };
  switch (outcome) {
    case 'dns':
      return { ...base, queries: [dnsQuery(host, null, 'dns_nxdomain_error')], tcp_connect: [], tls_handshakes: [], requests: [request(input, 'dns_nxdomain_error')], dns_experiment_failure: 'dns_nxdomain_error', dns_consistency: 'inconsistent', accessible: false, blocking: 'dns' };
    case 'tcp':
      return { ...base, queries: [dnsQuery(host, ip, null)], tcp_connect: [tcp(ip, 443, 'generic_timeout_error')], tls_handshakes: [], requests: [request(input, 'generic_timeout_error')], http_experiment_failure: 'generic_timeout_error', dns_consistency: 'consistent', accessible: false, blocking: 'tcp_ip' };
    case 'tls':
      return { ...base, queries: [dnsQuery(host, ip, null)], tcp_connect: [tcp(ip, 443, null)], tls_handshakes: [tls(ip, host, 'connection_reset')], requests: [request(input, 'connection_reset')], http_experiment_failure: 'connection_reset', dns_consistency: 'consistent', accessible: false, blocking: 'http-failure' };
    case 'http':
      // TLS completes, then the connection is reset when the request goes out (HTTP layer)
      return { ...base, queries: [dnsQuery(host, ip, null)], tcp_connect: [tcp(ip, 443, null)], tls_handshakes: [tls(ip, host, null)], requests: [request(input, 'connection_reset')], http_experiment_failure: 'connection_reset', dns_consistency: 'consistent', accessible: false, blocking: 'http-failure' };
    case 'control_failure':
      return { ...base, control: {}, control_failure: 'generic_timeout_error', queries: [dnsQuery(host, ip, null)], tcp_connect: [tcp(ip, 443, null)], tls_handshakes: [tls(ip, host, null)], requests: [request(input, null, body)], dns_consistency: null, accessible: null, blocking: null };
    case 'offline':
      // no connectivity at all: the resolver, the site and the control helper all time out
      return { ...base, control: {}, control_failure: 'generic_timeout_error', queries: [dnsQuery(host, null, 'generic_timeout_error')], tcp_connect: [], tls_handshakes: [], requests: [request(input, 'generic_timeout_error')], dns_experiment_failure: 'generic_timeout_error', dns_consistency: null, accessible: null, blocking: null };
    default:
      return { ...base, queries: [dnsQuery(host, ip, null)], tcp_connect: [tcp(ip, 443, null)], tls_handshakes: [tls(ip, host, null)], requests: [request(input, null, body)], dns_consistency: 'consistent', body_length_match: true, body_proportion: 1, status_code_match: true, headers_match: true, title_match: true, accessible: true, blocking: false };
  }
}

/** One HTTPS endpoint of an IM test under an outcome: its DNS query, TCP connect, TLS handshake, request. */
function imEndpoint(host: string, ip: string, url: string, outcome: Outcome) {
  const f = outcome === 'dns' ? 'dns_nxdomain_error' : outcome === 'offline' ? 'dns_server_failure' : outcome === 'tcp' || outcome === 'control_failure' ? 'generic_timeout_error' : outcome === 'tls' || outcome === 'http' ? 'connection_reset' : null;
  const dnsFail = outcome === 'dns' || outcome === 'offline';
  return {
    query: dnsQuery(host, dnsFail ? null : ip, dnsFail ? f : null),
    tcp: dnsFail ? null : tcp(ip, 443, outcome === 'tcp' || outcome === 'control_failure' ? f : null),
    tls: dnsFail || outcome === 'tcp' || outcome === 'control_failure' ? null : tls(ip, host, outcome === 'tls' || outcome === 'http' ? f : null),
    request: request(url, f, f ? undefined : '{}'),
  };
}

function imKeys(test: string, outcome: Outcome) {
  const eps: Array<[string, string, string]> = {
    whatsapp: [['e1.whatsapp.net', '157.240.1.53', ''], ['v.whatsapp.net', '157.240.1.53', 'https://v.whatsapp.net/v2/register'], ['web.whatsapp.com', '157.240.1.53', 'https://web.whatsapp.com/']],
    telegram: [['149.154.167.51', '149.154.167.51', 'http://149.154.167.51/'], ['web.telegram.org', '149.154.167.99', 'https://web.telegram.org/']],
    signal: [['chat.signal.org', '76.223.92.165', 'https://chat.signal.org/'], ['cdn.signal.org', '13.32.121.110', 'https://cdn.signal.org/']],
    facebook_messenger: [['b-api.facebook.com', '157.240.1.1', ''], ['edge-mqtt.facebook.com', '157.240.1.2', ''], ['star.c10r.facebook.com', '157.240.1.3', '']],
  }[test] as Array<[string, string, string]>;
  const parts = eps.map(([h, ip, url]) => imEndpoint(h, ip, url || `https://${h}/`, outcome));
  const isIpHost = (h: string) => /^\d+\.\d+\.\d+\.\d+$/.test(h);
  const queries = parts.filter((_, i) => !isIpHost(eps[i][0])).map((p) => ({ ...p.query, answers: p.query.answers ? p.query.answers.map((a) => (test === 'facebook_messenger' ? { ...a, asn: 32934, as_org_name: 'Facebook, Inc.' } : a)) : null }));
  const tcpc = parts.map((p) => p.tcp).filter((x) => x !== null);
  const tlsh = parts.map((p) => p.tls).filter((x) => x !== null);
  // messenger records no HTTP requests; the others fetch their endpoints
  const requests = test === 'facebook_messenger' ? [] : parts.map((p, i) => (eps[i][2] ? p.request : null)).filter((x) => x !== null);
  const bad = outcome !== 'ok';
  const common = { queries, tcp_connect: tcpc, tls_handshakes: tlsh, requests };
  switch (test) {
    case 'whatsapp':
      return { ...common, registration_server_failure: bad ? 'generic_timeout_error' : null, registration_server_status: bad ? 'blocked' : 'ok', whatsapp_endpoints_blocked: bad ? ['e1.whatsapp.net'] : [], whatsapp_endpoints_status: bad ? 'blocked' : 'ok', whatsapp_web_failure: null, whatsapp_web_status: bad ? 'blocked' : 'ok' };
    case 'telegram':
      return { ...common, telegram_http_blocking: bad, telegram_tcp_blocking: bad, telegram_web_failure: null, telegram_web_status: bad ? 'blocked' : 'ok' };
    case 'signal':
      return { ...common, signal_backend_status: bad ? 'blocked' : 'ok', signal_backend_failure: null };
    default:
      return { ...common, facebook_b_api_dns_consistent: true, facebook_b_api_reachable: !bad, facebook_dns_blocking: outcome === 'dns', facebook_tcp_blocking: outcome === 'tcp' };
  }
}

function throughputKeys(input: string, outcome: Outcome, ratio: number | null) {
  const control = 'https://control.vigil.example/100k.bin';
  const ctrlRate = 8000;
  const ctrlFail = outcome === 'control_failure' || outcome === 'offline';
  const tgtFail = outcome === 'dns' ? 'dns_nxdomain_error' : outcome === 'tcp' ? 'connection_refused' : outcome === 'tls' || outcome === 'http' ? 'connection_reset' : ctrlFail ? 'generic_timeout_error' : null;
  const tgtRate = tgtFail ? null : ctrlRate * (ratio ?? 1);
  const sample = (url: string, role: 'target' | 'control', rate: number | null, failure: string | null) => ({
    url, role, bytes: rate ? 100000 : 0, duration_s: rate ? Math.round((800 / rate) * 1000) / 1000 : 0, rate_kbps: rate === null ? null : Math.round(rate), failure, t0: 0, t: 1,
  });
  return {
    target: 'youtube',
    samples: [sample(input, 'target', tgtRate, tgtFail), sample(control, 'control', ctrlFail ? null : ctrlRate, ctrlFail ? 'generic_timeout_error' : null)],
    target_rate_kbps: tgtRate === null ? null : Math.round(tgtRate),
    control_rate_kbps: ctrlFail ? null : ctrlRate,
    rate_ratio: tgtRate === null || ctrlFail ? null : Math.round((tgtRate / ctrlRate) * 1000) / 1000,
    throttled: tgtRate === null || ctrlFail ? null : tgtRate / ctrlRate < 0.25,
  };
}

export function buildEnvelope(o: Observation, s: Spec): Record<string, unknown> {
  const start = ooniTime(o.t * 1000);
  let test_keys: Record<string, unknown>;
  if (o.test_name === 'web_connectivity') test_keys = webConnectivity(s.input ?? 'https://example.org/', s.outcome);
  else if (o.test_name === 'vigil_throughput') test_keys = throughputKeys(s.input ?? '', s.outcome, s.ratio);
  else test_keys = imKeys(o.test_name, s.outcome);
  const vigil = o.test_name === 'vigil_throughput';
  return {
    annotations: { platform: 'linux', network_type: 'wifi', probe_id: o.probe_id, engine_name: vigil ? 'vigil' : 'ooniprobe-engine', engine_version: vigil ? '0.1.0' : '3.19.0' },
    data_format_version: '0.2.0',
    input: s.input,
    measurement_start_time: start,
    measurement_uid: o.uid,
    probe_asn: `AS${o.asn}`,
    probe_cc: o.cc,
    probe_ip: '127.0.0.1',
    probe_network_name: o.network,
    report_id: s.report_id,
    resolver_asn: `AS${o.asn}`,
    resolver_ip: '200.44.32.12',
    resolver_network_name: o.network,
    software_name: vigil ? 'vigil-probe' : 'ooniprobe-cli',
    software_version: vigil ? '0.1.0' : '3.19.0',
    test_name: o.test_name,
    test_version: { web_connectivity: '0.4.1', whatsapp: '0.11.0', telegram: '0.3.0', signal: '0.2.5', facebook_messenger: '0.2.0', vigil_throughput: '0.1.0' }[o.test_name] ?? '0.1.0',
    test_runtime: 1.2,
    test_start_time: start,
    test_keys,
  };
}
