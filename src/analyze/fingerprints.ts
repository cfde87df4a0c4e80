// Blockpage fingerprints (OONI's lists, see data/SOURCES.md): known DNS answers and HTTP bodies or
// headers that censors serve. A match in a scope that names a censor is proof, and makes an
// observation `confirmed`; a match in scope `fp` is a known false positive (a benign page that
// differs from the control, e.g. a CDN error page), which cancels an HTTP-difference anomaly.
import data from './data/fingerprints.json' with { type: 'json' };
import { AhoCorasick } from './aho-corasick.js';

export interface Fingerprint {
  name: string;
  scope: string;
  location: string;      // 'dns' | 'body' | 'header.<name>'
  patternType: string;   // 'full' | 'prefix' | 'contains' | 'regexp'
  pattern: string;
  countries: string[];
}

export type FingerprintKind = 'confirming' | 'false_positive' | 'weak';

/** National, ISP, product and institution blockpages are proof anywhere (as in OONI's fastpath
 *  `is_confirmed`, which also accepts any scope when the probe's country is expected). */
export function kindOf(fp: Fingerprint, cc: string): FingerprintKind {
  if (fp.scope === 'fp') return 'false_positive';
  if (fp.scope === 'nat' || fp.scope === 'isp' || fp.scope === 'prod' || fp.scope === 'inst') return 'confirming';
  if (cc !== 'ZZ' && fp.countries.includes(cc)) return 'confirming';
  return 'weak';
}

type Row = [string, string, string, string, string, string];
const toFp = (r: Row): Fingerprint => ({
  name: r[0], scope: r[1], location: r[2], patternType: r[3], pattern: r[4],
  countries: r[5] ? r[5].split(',').map((s) => s.trim().toUpperCase()).filter(Boolean) : [],
});

const DNS = new Map<string, Fingerprint>();
for (const r of (data as unknown as { dns: Row[] }).dns) DNS.set(r[4], toFp(r));
const HTTP_BODY: Array<Fingerprint & { re?: RegExp }> = [];
const HTTP_HEADER: Array<Fingerprint & { header: string }> = [];
for (const r of (data as unknown as { http: Row[] }).http) {
  const fp = toFp(r);
  if (fp.location === 'body') {
    let re: RegExp | undefined;
    if (fp.patternType === 'regexp') {
      try { re = new RegExp(fp.pattern); } catch { continue; }
    }
    HTTP_BODY.push({ ...fp, re });
  } else if (fp.location.startsWith('header.')) {
    HTTP_HEADER.push({ ...fp, header: fp.location.slice(7).toLowerCase() });
  }
}

const BODY_CONTAINS = HTTP_BODY.filter((fp) => fp.patternType === 'contains');
const BODY_OTHER = HTTP_BODY.filter((fp) => fp.patternType !== 'contains');
// regexps and prefixes that can confirm; the rest (false-positive and vague ones) only matter when a
// page already differs from the control, so they run only then
const BODY_OTHER_CONFIRMING = BODY_OTHER.filter((fp) => ['nat', 'isp', 'prod', 'inst'].includes(fp.scope) || fp.countries.length > 0);
const HEADER_BY_NAME = new Map<string, Array<Fingerprint & { header: string }>>();
for (const fp of HTTP_HEADER) HEADER_BY_NAME.set(fp.header, [...(HEADER_BY_NAME.get(fp.header) ?? []), fp]);
const bodyAutomaton = new AhoCorasick(BODY_CONTAINS.map((fp) => fp.pattern));

export const FINGERPRINT_COUNTS = { dns: DNS.size, http: HTTP_BODY.length + HTTP_HEADER.length };

/** The DNS fingerprint an answer (address or CNAME) equals, if any. */
export function matchDnsAnswer(answer: string): Fingerprint | null {
  return DNS.get(answer) ?? null;
}

function matches(fp: Fingerprint & { re?: RegExp }, value: string): boolean {
  switch (fp.patternType) {
    case 'full': return value === fp.pattern;
    case 'prefix': return value.startsWith(fp.pattern);
    case 'regexp': return fp.re ? fp.re.test(value) : false;
    default: return value.includes(fp.pattern);
  }
}

// Regexps run over at most this much body: blockpages are small, and it bounds the work a hostile
// body can cause.
const REGEXP_BODY_CAP = 64 * 1024;

/** Every HTTP fingerprint matching a response body and headers. */
export function matchHttp(body: string | null, headers: Map<string, string>, all = true): Fingerprint[] {
  const out: Fingerprint[] = [];
  if (body) {
    const short = body.length > REGEXP_BODY_CAP ? body.slice(0, REGEXP_BODY_CAP) : body;
    for (const k of bodyAutomaton.search(body)) out.push(BODY_CONTAINS[k]);
    for (const fp of all ? BODY_OTHER : BODY_OTHER_CONFIRMING) if (matches(fp, fp.re ? short : body)) out.push(fp);
  }
  for (const [name, v] of headers) {
    const fps = HEADER_BY_NAME.get(name);
    if (fps) for (const fp of fps) if (matches(fp, v)) out.push(fp);
  }
  return out;
}
