// Blockpage fingerprints (OONI's lists, see data/SOURCES.md): known DNS answers and HTTP bodies or
// headers that censors serve. A match in a scope that names a censor is proof, and makes an
// observation `confirmed`; a match in scope `fp` is a known false positive (a benign page that
// differs from the control, e.g. a CDN error page), which cancels an HTTP-difference anomaly.
import data from './data/fingerprints.json' with { type: 'json' };

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
export function matchHttp(body: string | null, headers: Map<string, string>): Fingerprint[] {
  const out: Fingerprint[] = [];
  if (body) {
    const short = body.length > REGEXP_BODY_CAP ? body.slice(0, REGEXP_BODY_CAP) : body;
    for (const fp of HTTP_BODY) if (matches(fp, fp.re ? short : body)) out.push(fp);
  }
  if (headers.size > 0) {
    for (const fp of HTTP_HEADER) {
      const v = headers.get(fp.header);
      if (v !== undefined && matches(fp, v)) out.push(fp);
    }
  }
  return out;
}
