// MaxMind DB (.mmdb) files through the `maxmind` reader: GeoLite2/GeoIP2 ASN, ISP, Country, City,
// Enterprise; DB-IP lite (same record layout, "DBIP-…" types); IPinfo lite / country_asn (their
// own field names). The database type in the file's metadata decides what it may be used for, so
// a City database given as the ASN database is refused instead of answering AS0 for everything.
import { stat } from 'node:fs/promises';
import maxmind, { type Reader } from 'maxmind';
import { VigilError } from '../model/errors.js';

export type MmdbRole = 'asn' | 'country';

export interface MmdbSource {
  role: MmdbRole;
  path: string;
  /** metadata.databaseType, e.g. "GeoLite2-ASN" */
  type: string;
  asn(ip: string): { asn: number; network: string } | null;
  country(ip: string): string | null;
}

// Which database types carry which answer. DB-IP writes "DBIP-ASN-Lite (compat=GeoLite2-ASN)" and
// the like; IPinfo's files say "ipinfo …" and carry both ASN and country.
const CARRIES: Record<MmdbRole, RegExp> = {
  asn: /\b(ASN|ISP|Enterprise)\b|ipinfo/i,
  country: /Country|City|Enterprise|Location|ipinfo/i,
};
const EXPECTED: Record<MmdbRole, string> = {
  asn: 'GeoLite2-ASN, GeoIP2-ISP, DBIP-ASN-Lite or IPinfo lite',
  country: 'GeoLite2-Country/-City, GeoIP2-Country/-City, DBIP-Country/-City-Lite or IPinfo lite',
};

type Rec = Record<string, unknown>;

/** Opens one .mmdb for a role; VigilError('GEO') when missing, unreadable, corrupt or of the wrong type. */
export async function openMmdb(path: string, role: MmdbRole): Promise<MmdbSource> {
  const what = role === 'asn' ? 'ASN database' : 'country database';
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new VigilError('GEO', `${what} ${path}: not a file`);
  } catch (e) {
    if (e instanceof VigilError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new VigilError('GEO', `${what} ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let reader: Reader<Rec & object>;
  try {
    // A small cache: the probe asks about one or two addresses, the collector about its callers.
    reader = await maxmind.open<any>(path, { cache: { max: 1000 } });
  } catch (e) {
    throw new VigilError('GEO', `${what} ${path}: not a readable MaxMind DB file (${(e as Error).message})`, { cause: e });
  }
  const type = String(reader.metadata?.databaseType ?? '');
  if (!CARRIES[role].test(type)) {
    throw new VigilError('GEO', `${what} ${path}: is a "${type || 'unknown'}" database, expected ${EXPECTED[role]}`);
  }
  const get = (ip: string): Rec | null => {
    try {
      return (reader.get(ip) as Rec | null) ?? null;
    } catch {
      // A damaged search tree, or an IPv6 address asked of an IPv4-only file: no answer, no crash.
      return null;
    }
  };
  return {
    role,
    path,
    type,
    asn: (ip) => asnOf(get(ip)),
    country: (ip) => countryOf(get(ip)),
  };
}

/** The AS number and organisation from any supported record layout. */
export function asnOf(r: Rec | null): { asn: number; network: string } | null {
  if (!r) return null;
  const traits = obj(r.traits); // GeoIP2-Enterprise keeps them under traits
  const raw = r.autonomous_system_number ?? traits?.autonomous_system_number ?? r.asn;
  const asn = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(/^(?:AS)?(\d{1,10})$/i.exec(raw)?.[1] ?? NaN) : NaN;
  if (!Number.isInteger(asn) || asn <= 0 || asn > 0xffffffff) return null;
  const name = r.autonomous_system_organization ?? traits?.autonomous_system_organization ?? r.as_name ?? r.isp ?? r.organization ?? r.name;
  return { asn, network: typeof name === 'string' ? name : '' };
}

/** The ISO country code from any supported record layout; the registered country when the
 * located one is absent (satellite and anycast ranges often only have that). */
export function countryOf(r: Rec | null): string | null {
  if (!r) return null;
  const iso = obj(r.country)?.iso_code ?? obj(r.registered_country)?.iso_code ?? r.country_code
    ?? (typeof r.country === 'string' ? r.country : undefined);
  return typeof iso === 'string' && /^[A-Za-z]{2}$/.test(iso) ? iso.toUpperCase() : null;
}

function obj(v: unknown): Rec | undefined {
  return v !== null && typeof v === 'object' ? (v as Rec) : undefined;
}
