// A prefix → (asn, country, name) table, one line per prefix: `prefix<TAB>asn<TAB>cc<TAB>name`
// ('#' comments and blank lines ignored). Looked up by longest match (IPv4 only: the visibility
// signal counts IPv4 /24 blocks).
import { readFile } from 'node:fs/promises';
import { VigilError } from '../../model/errors.js';

export interface PrefixInfo {
  asn: number;
  cc: string;
  name: string;
}

export class PrefixTable {
  /** one map per prefix length 0..32, keyed by the masked address */
  private readonly byLen: Array<Map<number, PrefixInfo>> = Array.from({ length: 33 }, () => new Map());
  private readonly lens: number[] = [];
  size = 0;

  add(addr: number, len: number, info: PrefixInfo): void {
    const m = this.byLen[len];
    if (m.size === 0) { this.lens.push(len); this.lens.sort((a, b) => b - a); }
    m.set(maskAddr(addr, len), info);
    this.size++;
  }

  /** Longest match for a prefix: the most specific entry of length ≤ len covering addr/len. */
  lookup(addr: number, len: number): PrefixInfo | null {
    for (const l of this.lens) {
      if (l > len) continue;
      const hit = this.byLen[l].get(maskAddr(addr, l));
      if (hit) return hit;
    }
    return null;
  }
}

export function maskAddr(addr: number, len: number): number {
  if (len <= 0) return 0;
  if (len >= 32) return addr >>> 0;
  return (addr & (~0 << (32 - len))) >>> 0;
}

export function parseV4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return null;
  return ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
}

/** Parses the TSV text; bad lines are reported (line number and why), never fatal. IPv6 lines are skipped. */
export function parsePrefixTable(text: string): { table: PrefixTable; errors: string[] } {
  const table = new PrefixTable();
  const errors: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (!line.trim() || line.startsWith('#')) continue;
    const [pfx, asn, cc = '', name = ''] = line.split('\t');
    const slash = pfx.indexOf('/');
    const addrText = slash < 0 ? pfx : pfx.slice(0, slash);
    if (addrText.includes(':')) continue;
    const addr = parseV4(addrText);
    const len = slash < 0 ? 32 : Number(pfx.slice(slash + 1));
    if (addr === null || !Number.isInteger(len) || len < 0 || len > 32) { errors.push(`line ${i + 1}: not an IPv4 prefix: "${pfx}"`); continue; }
    const a = Number(asn);
    if (!/^\d+$/.test(asn ?? '') || a > 0xffffffff) { errors.push(`line ${i + 1}: not an ASN: "${asn}"`); continue; }
    if (cc && !/^[A-Za-z]{2}$/.test(cc)) { errors.push(`line ${i + 1}: not a country code: "${cc}"`); continue; }
    table.add(addr, len, { asn: a, cc: cc.toUpperCase(), name });
  }
  return { table, errors };
}

export async function loadPrefixTable(path: string): Promise<{ table: PrefixTable; errors: string[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new VigilError('NOT_FOUND', `prefix table ${path}: ${(e as Error).message}`);
  }
  return parsePrefixTable(text);
}
