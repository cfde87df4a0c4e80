// Prefix → ASN tables, longest-prefix match. Two text formats, told apart per line by columns:
//   Vigil TSV  `prefix<TAB>asn<TAB>cc<TAB>network name`  (the lab writes src/lab/data/lab-prefixes.tsv)
//   pyasn      `prefix<TAB>asn`  (ipasn_YYYYMMDD.dat[.gz], built from a RouteViews/RIPE RIB)
// Lines starting with ';' (pyasn's header) or '#' are comments. Gzip is recognised by its magic
// bytes, not the file name.
//
// Compact structure: for IPv4, one sorted Uint32Array of network addresses per prefix length with
// a parallel Uint32Array of record indices (8 bytes per prefix: the 512k-prefix RouteViews table
// takes ~4 MB); a lookup binary-searches the lengths present, longest first. IPv6 tables are
// smaller and use one Map<bigint, index> per length. Records (asn, cc, name) are de-duplicated.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { VigilError } from '../model/errors.js';
import { parseIp, type ParsedIp } from './ip.js';

export interface PrefixRecord {
  asn: number;
  /** ISO 3166-1 alpha-2, or '' when the table does not say (pyasn) */
  cc: string;
  /** network name, or '' when the table does not say (pyasn) */
  network: string;
}

export interface PrefixMatch extends PrefixRecord {
  prefix: string;
  /** the table the answer came from (its file name) */
  table: string;
}

const MAX_ERRORS_SHOWN = 3;
/** positions per network in the sort key: 2^32 networks × 2^21 positions < 2^53 */
const POS_SPAN = 2 ** 21;

/** Builds a table from several files: longest prefix wins; the same prefix in two files → the first file. */
export class PrefixTable {
  /** de-duplicated (asn, cc, network, table) rows: the file an answer came from is kept per row */
  private readonly records: Array<PrefixRecord & { table: number }> = [];
  private readonly recordIndex = new Map<string | number, number>();
  private readonly tables: string[] = [];
  /** per IPv4 prefix length (index = length): sorted networks and their record indices */
  private readonly v4: Array<{ nets: Uint32Array; recs: Uint32Array } | undefined> = [];
  private v4Lengths: number[] = [];
  private readonly v6 = new Map<number, Map<bigint, number>>();
  private v6Lengths: number[] = [];
  /** number of distinct prefixes held */
  size = 0;

  /** Loads files (Vigil TSV or pyasn .dat/.dat.gz); throws VigilError('GEO') with the file and line. */
  static load(paths: string[]): PrefixTable {
    const t = new PrefixTable();
    t.add(paths.map((p) => ({ name: basename(p), text: readTableText(p), path: p })));
    return t;
  }

  /** From text already in memory (tests, the lab). */
  static fromText(name: string, text: string): PrefixTable {
    const t = new PrefixTable();
    t.add([{ name, text, path: name }]);
    return t;
  }

  get sources(): string[] {
    return [...this.tables];
  }

  private add(files: Array<{ name: string; text: string; path: string }>): void {
    const v4: Array<{ nets: number[]; recs: number[] }> = [];
    const v6 = new Map<number, Map<bigint, number>>();
    for (const f of files) {
      const tableIdx = this.tables.push(f.name) - 1;
      const n = this.parseInto(f, tableIdx, v4, v6);
      if (n === 0) throw new VigilError('GEO', `prefix table ${f.path}: no prefixes in it`);
    }
    for (let len = 0; len <= 32; len++) {
      const b = v4[len];
      if (!b || b.nets.length === 0) continue;
      // Sort by network keeping the first occurrence of a duplicate (an earlier file, or line,
      // wins): (network, position) packed into one double sorts natively, exactly below 2^53.
      const n = b.nets.length;
      const order: ArrayLike<number> = n < POS_SPAN ? packedOrder(b.nets) : b.nets.map((_, i) => i).sort((x, y) => b.nets[x] - b.nets[y] || x - y);
      const nets: number[] = [];
      const recs: number[] = [];
      for (let k = 0; k < n; k++) {
        const i = order[k];
        const net = b.nets[i];
        if (nets.length && nets[nets.length - 1] === net) continue;
        nets.push(net);
        recs.push(b.recs[i]);
      }
      this.v4[len] = { nets: Uint32Array.from(nets), recs: Uint32Array.from(recs) };
      this.size += nets.length;
    }
    this.v4Lengths = [];
    for (let len = 32; len >= 0; len--) if (this.v4[len]) this.v4Lengths.push(len);
    for (const [len, m] of v6) {
      this.v6.set(len, m);
      this.size += m.size;
    }
    this.v6Lengths = [...this.v6.keys()].sort((a, b) => b - a);
  }

  private parseInto(
    f: { name: string; text: string; path: string },
    table: number,
    v4: Array<{ nets: number[]; recs: number[] }>,
    v6: Map<number, Map<bigint, number>>,
  ): number {
    if (f.text.includes('\u0000')) {
      throw new VigilError('GEO', `prefix table ${f.path}: binary data, not a text prefix table (an .mmdb file goes to --asn-db / --country-db)`);
    }
    const errors: string[] = [];
    let count = 0;
    let lineNo = 0;
    for (const raw of f.text.split('\n')) {
      lineNo++;
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line.trim() === '' || line.startsWith(';') || line.startsWith('#')) continue;
      const r = parseLine(line);
      if (typeof r === 'string') {
        errors.push(`line ${lineNo}: ${r}`);
        continue;
      }
      // A number key for pyasn's bare (asn) rows: half the load time of building a string per line.
      const key = r.cc === '' && r.network === '' ? table * 2 ** 33 + r.asn : `${table}\u0000${r.asn}\u0000${r.cc}\u0000${r.network}`;
      let rec = this.recordIndex.get(key);
      if (rec === undefined) {
        rec = this.records.push({ asn: r.asn, cc: r.cc, network: r.network, table }) - 1;
        this.recordIndex.set(key, rec);
      }
      if (r.ip.v === 4) {
        const b = (v4[r.len] ??= { nets: [], recs: [] });
        b.nets.push(r.ip.n);
        b.recs.push(rec);
      } else {
        let m = v6.get(r.len);
        if (!m) v6.set(r.len, (m = new Map()));
        if (!m.has(r.ip.n)) m.set(r.ip.n, rec);
      }
      count++;
    }
    if (errors.length) {
      const more = errors.length > MAX_ERRORS_SHOWN ? ` (and ${errors.length - MAX_ERRORS_SHOWN} more bad lines)` : '';
      throw new VigilError('GEO', `prefix table ${f.path}: ${errors.slice(0, MAX_ERRORS_SHOWN).join('; ')}${more}`);
    }
    return count;
  }

  /** Longest-prefix match; null when no prefix covers the address. */
  lookup(ip: ParsedIp): PrefixMatch | null {
    if (ip.v === 4) {
      for (const len of this.v4Lengths) {
        const b = this.v4[len]!;
        const key = len === 0 ? 0 : (ip.n & ((0xffffffff << (32 - len)) >>> 0)) >>> 0;
        const i = bsearch(b.nets, key);
        if (i >= 0) return this.match(b.recs[i], formatV4(key, len));
      }
      return null;
    }
    for (const len of this.v6Lengths) {
      const key = len === 0 ? 0n : ip.n & (((1n << BigInt(len)) - 1n) << BigInt(128 - len));
      const rec = this.v6.get(len)!.get(key);
      if (rec !== undefined) return this.match(rec, `${formatV6(key)}/${len}`);
    }
    return null;
  }

  private match(rec: number, prefix: string): PrefixMatch {
    const r = this.records[rec];
    return { asn: r.asn, cc: r.cc, network: r.network, prefix, table: this.tables[r.table] };
  }
}

/** Positions of `nets` in ascending order, ties by position: (network, position) packed into one
 * double sorts natively (exact below 2^53), several times faster than a comparator sort. */
function packedOrder(nets: number[]): Uint32Array {
  const packed = new Float64Array(nets.length);
  for (let i = 0; i < nets.length; i++) packed[i] = nets[i] * POS_SPAN + i;
  packed.sort();
  const out = new Uint32Array(nets.length);
  for (let k = 0; k < packed.length; k++) out[k] = packed[k] % POS_SPAN;
  return out;
}

function bsearch(a: Uint32Array, key: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid];
    if (v === key) return mid;
    if (v < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function formatV4(n: number, len: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${len}`;
}

function formatV6(n: bigint): string {
  const g: string[] = [];
  for (let i = 7; i >= 0; i--) g.push(((n >> BigInt(i * 16)) & 0xffffn).toString(16));
  return g.join(':');
}

const FAST_V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})\t(\d{1,10})$/;

type Line = { ip: ParsedIp; len: number; asn: number; cc: string; network: string };

/** One data line → its fields, or the reason it is not one. Host bits set in the prefix are masked off. */
export function parseLine(line: string): Line | string {
  const fast = FAST_V4.exec(line);
  if (fast) {
    // The common pyasn line, without the general parser's allocations (a 512k-line table loads ~3× faster).
    const [a, b, c, d, l] = [fast[1], fast[2], fast[3], fast[4], fast[5]].map(Number);
    const asn = Number(fast[6]);
    if (a < 256 && b < 256 && c < 256 && d < 256 && l <= 32 && asn <= 0xffffffff) {
      const n = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
      return { ip: { v: 4, n: l === 0 ? 0 : (n & ((0xffffffff << (32 - l)) >>> 0)) >>> 0 }, len: l, asn, cc: '', network: '' };
    }
  }
  let cols = line.split('\t');
  if (cols.length === 1) cols = line.trim().split(/\s+/); // tolerate space-separated `prefix asn`
  if (cols.length < 2) return `expected "prefix<TAB>asn[<TAB>cc<TAB>name]", got "${clip(line)}"`;
  const [pfx, asnText, ccText = '', ...nameParts] = cols.map((c) => c.trim());
  const slash = pfx.indexOf('/');
  const ip = parseIp(slash < 0 ? pfx : pfx.slice(0, slash));
  if (!ip) return `not an IP prefix: "${clip(pfx)}"`;
  const max = pfx.includes(':') ? 128 : 32;
  const lenText = slash < 0 ? String(max) : pfx.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > max) return `bad prefix length in "${clip(pfx)}"`;
  // An IPv4-mapped IPv6 prefix (::ffff:1.2.3.0/120) is an IPv4 prefix of length − 96.
  let len = Number(lenText);
  if (ip.v === 4 && pfx.includes(':')) {
    if (len < 96) return `IPv4-mapped prefix shorter than /96: "${clip(pfx)}"`;
    len -= 96;
  }
  const m = /^(?:AS)?(\d{1,10})$/i.exec(asnText);
  if (!m || Number(m[1]) > 0xffffffff) return `not an AS number: "${clip(asnText)}"`;
  if (ccText !== '' && !/^[A-Za-z]{2}$/.test(ccText)) return `not a two-letter country code: "${clip(ccText)}"`;
  const masked: ParsedIp = ip.v === 4
    ? { v: 4, n: len === 0 ? 0 : (ip.n & ((0xffffffff << (32 - len)) >>> 0)) >>> 0 }
    : { v: 6, n: len === 0 ? 0n : ip.n & (((1n << BigInt(len)) - 1n) << BigInt(128 - len)) };
  return { ip: masked, len, asn: Number(m[1]), cc: ccText.toUpperCase(), network: nameParts.join(' ').trim() };
}

function clip(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function readTableText(path: string): string {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new VigilError('GEO', `prefix table ${path}: ${why}`);
  }
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (e) {
      throw new VigilError('GEO', `prefix table ${path}: corrupt gzip data (${(e as Error).message})`);
    }
  }
  return buf.toString('utf8');
}
