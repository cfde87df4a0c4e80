// web_connectivity's comparison with the control (ts-017, and OONI probe-cli's v0.4 analysis:
// dnsconsistency.go, summary.go). Pure: raw observations in, verdict fields out.
import { isIP } from 'node:net';
import type { WebConnectivityControl } from '../../../model/measurement.js';
import { isBogon } from '../../../netx/bogon.js';

export interface WcObserved {
  url: string;
  dnsFailure: string | null;
  addrs: string[];
  /** addresses whose verified TLS handshake for the URL's host succeeded (https only) */
  tlsVerifiedAddrs: string[];
  tcpAttempts: number;
  tcpSuccesses: number;
  httpFailure: string | null;
  /** the final response, when one arrived */
  response: { status: number; headers: Record<string, string>; bodyLength: number; title: string; truncated: boolean } | null;
  control: WebConnectivityControl | null;
  controlFailure: string | null;
  loopbackIsNormal?: boolean;
}

export interface WcVerdict {
  dns_consistency: 'consistent' | 'inconsistent' | null;
  body_length_match: boolean | null;
  body_proportion: number | null;
  status_code_match: boolean | null;
  headers_match: boolean | null;
  title_match: boolean | null;
  blocking: 'dns' | 'tcp_ip' | 'http-failure' | 'http-diff' | false | null;
  accessible: boolean | null;
}

// probe-cli's list of headers too common to tell one server from another
const COMMON_HEADERS = new Set([
  'date', 'content-type', 'server', 'cache-control', 'vary', 'set-cookie', 'location', 'expires', 'x-powered-by',
  'content-encoding', 'last-modified', 'accept-ranges', 'pragma', 'x-frame-options', 'etag', 'x-content-type-options',
  'age', 'via', 'p3p', 'x-xss-protection', 'content-language', 'cf-ray', 'strict-transport-security', 'link', 'x-varnish',
  'content-length', 'connection', 'transfer-encoding', 'keep-alive',
]);

export { extractTitle } from '../../../netx/title.js';

export function dnsConsistency(o: WcObserved): WcVerdict['dns_consistency'] {
  const c = o.control?.dns;
  if (o.controlFailure || !c) return null;
  const host = new URL(o.url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return 'consistent';
  if (o.dnsFailure || c.failure) {
    // both failed the same way (a site that does not exist anymore) is consistent
    return o.dnsFailure && c.failure && o.dnsFailure === c.failure ? 'consistent' : 'inconsistent';
  }
  const probe = o.addrs;
  if (probe.length === 0) return 'inconsistent';
  const bogon = (ip: string) => isBogon(ip, o.loopbackIsNormal);
  if (probe.every(bogon) && !c.addrs.every(bogon)) return 'inconsistent';
  const ctrl = new Set(c.addrs);
  if (probe.some((a) => ctrl.has(a))) return 'consistent';
  // An address that completed a verified TLS handshake for this host serves the real site
  // (probe-cli does the same: CDNs answer differently per vantage point).
  if (probe.every((a) => o.tlsVerifiedAddrs.includes(a))) return 'consistent';
  return 'inconsistent';
}

function headersMatch(probe: Record<string, string>, ctrl: Record<string, string>): boolean {
  const uncommon = (h: Record<string, string>) => new Set(Object.keys(h).map((k) => k.toLowerCase()).filter((k) => !COMMON_HEADERS.has(k)));
  const a = uncommon(probe);
  const b = uncommon(ctrl);
  if (a.size === 0 && b.size === 0) return true;
  for (const k of a) if (b.has(k)) return true;
  return false;
}

function titleMatch(probe: string, ctrl: string): boolean | null {
  if (!ctrl && !probe) return true;
  const words = (s: string) => s.split(/\s+/).filter((w) => w.length >= 5);
  const pw = new Set(words(probe).map((w) => w.toLowerCase()));
  const cw = words(ctrl);
  if (cw.length === 0) return probe === ctrl || null;
  return cw.every((w) => pw.has(w.toLowerCase()));
}

export function analyze(o: WcObserved): WcVerdict {
  const v: WcVerdict = { dns_consistency: dnsConsistency(o), body_length_match: null, body_proportion: null, status_code_match: null, headers_match: null, title_match: null, blocking: null, accessible: null };
  const ch = o.control?.http_request;
  const r = o.response;
  if (r && ch && !ch.failure && typeof ch.body_length === 'number' && !o.httpFailure) {
    const a = r.bodyLength;
    const b = ch.body_length;
    v.body_proportion = a === 0 && b === 0 ? 1 : Math.min(a, b) / Math.max(a, b);
    // a truncated body cannot be compared by length: OONI leaves the match undetermined
    v.body_length_match = r.truncated ? null : v.body_proportion > 0.7;
    if (typeof ch.status_code === 'number') {
      const same = r.status === ch.status_code;
      v.status_code_match = same ? true : Math.floor(ch.status_code / 100) !== 2 ? null : false;
    }
    v.headers_match = headersMatch(r.headers, ch.headers ?? {});
    v.title_match = titleMatch(r.title, ch.title ?? '');
  }
  // --- blocking / accessible: probe-cli's summary.go, in its order ---
  if (o.controlFailure || !o.control) return v;
  const dnsInc = v.dns_consistency === 'inconsistent';
  if (o.dnsFailure === 'dns_nxdomain_error') {
    if (v.dns_consistency === 'consistent') {
      // the name does not exist anywhere: a dead site, not censorship
      v.blocking = false;
      v.accessible = false;
    } else {
      v.blocking = 'dns';
      v.accessible = false;
    }
    return v;
  }
  if (o.dnsFailure) {
    // DNS failed here (timeout, SERVFAIL, REFUSED, no answer): OONI's HTTP step fails on the
    // same lookup and dns inconsistency takes the blame; both failing alike is a dead site.
    v.accessible = false;
    v.blocking = dnsInc ? 'dns' : false;
    return v;
  }
  if (o.tcpAttempts > 0 && o.tcpSuccesses === 0 && v.dns_consistency) {
    v.accessible = false;
    if (v.dns_consistency === 'consistent') {
      // unreachable from the control too: the server is down everywhere
      const ctcp = Object.values(o.control.tcp_connect ?? {});
      v.blocking = ctcp.length > 0 && ctcp.every((t) => !t.status) ? false : 'tcp_ip';
    } else v.blocking = 'dns';
    return v;
  }
  if (ch?.failure) {
    // the control could not fetch the page either: say nothing definite; when both fail it is
    // a site down everywhere, which must not read as blocking
    if (o.httpFailure) {
      v.blocking = dnsInc ? 'dns' : false;
      v.accessible = false;
    }
    return v;
  }
  if (o.httpFailure) {
    v.accessible = false;
    v.blocking = dnsInc ? 'dns' : 'http-failure';
    return v;
  }
  if (!r) return v;
  if (v.status_code_match === true && (v.body_length_match === true || v.headers_match === true || v.title_match === true)) {
    v.blocking = false;
    v.accessible = true;
    return v;
  }
  if (new URL(o.url).protocol === 'https:' && o.tlsVerifiedAddrs.length > 0 && !dnsInc) {
    // A verified TLS session cannot have been rewritten on path: differences are the site's own
    // (OONI treats successful HTTPS as accessible too).
    v.blocking = false;
    v.accessible = true;
    return v;
  }
  v.accessible = false;
  v.blocking = dnsInc ? 'dns' : 'http-diff';
  return v;
}
