// The BGP visibility signal (IODA's definition, docs/bgp.md): per origin AS (and per country when
// a prefix table is given), the number of IPv4 /24 blocks seen by at least half of the full-feed
// peers, in 5-minute bins. State is each peer's routing table, built from a RIB snapshot and kept
// current by update streams; a bin's value is the state at the end of the bin.
//
//  - full-feed peer: a peer whose IPv4 prefix count is ≥ fullFeedFraction (default 0.8) of the
//    largest per-peer IPv4 prefix count in the same state (collectors mix full tables with partial
//    customer feeds; only full tables say anything about global reachability).
//  - a /24 block is seen by a peer for origin O when the peer has a route of length 1..24 covering
//    it whose AS path ends in O (an AS path ending in an AS_SET has no single origin: not counted;
//    more specifics than /24 are not counted, as in IODA).
//  - visibilityFraction 0 is the plain union: any peer (full-feed or not) is enough. That is how
//    ../shared/data/bgp/EXPECTED.json counts "ipv4_slash24_equiv_union_len1to24".
//  - a peer whose session leaves Established (STATE_CHANGE from 6) loses its routes.
// Add-path (RFC 8050) routes are kept per path id; a peer counts once per /24 however many paths.
import type { BgpVisibilityRow } from '../../store/store.js';
import { originAsn } from './attributes.js';
import { maskAddr, type PrefixTable } from './prefix-table.js';
import type { Attributes, MrtEntry, Prefix } from './types.js';

export interface VisibilityOptions {
  binSeconds?: number;
  fullFeedFraction?: number;
  visibilityFraction?: number;
  prefixTable?: PrefixTable | null;
  /** bins without updates are filled with the unchanged state up to this many (default 288 = 1 day at 5 min) */
  maxFillBins?: number;
}

interface PeerState {
  key: string;
  /** route key (prefix key, or "prefixkey:pathid" for add-path) → origin AS (-1: no single origin) */
  routes: Map<number | string, number>;
}

const NO_ORIGIN = -1;

/** Prefix key: address (masked) * 64 + length, exact in a double. */
function pkey(addr: number, len: number): number {
  return maskAddr(addr, len) * 64 + len;
}

export class VisibilityTracker {
  readonly binSeconds: number;
  readonly fullFeedFraction: number;
  readonly visibilityFraction: number;
  readonly maxFillBins: number;
  private readonly table: PrefixTable | null;
  private readonly peers = new Map<string, PeerState>();
  private readonly peerList: PeerState[] = [];
  private readonly peerIndex = new Map<PeerState, number>();
  /** origin → prefix key → peer index → number of that peer's paths (add-path) routing it there */
  private readonly byOrigin = new Map<number, Map<number, Map<number, number>>>();
  private readonly dirty = new Set<number>();
  private readonly cache = new Map<number, Map<string, number>>();
  private lastFull: string = '';
  private fullCount = 0;
  private readonly ccCache = new Map<number, string>();
  private readonly lastCc = new Map<number, string>();
  /** start of the bin being filled, null before the first element */
  private bin: number | null = null;
  /** elements applied */
  elements = 0;

  constructor(opts: VisibilityOptions = {}) {
    this.binSeconds = opts.binSeconds ?? 300;
    this.fullFeedFraction = opts.fullFeedFraction ?? 0.8;
    this.visibilityFraction = opts.visibilityFraction ?? 0.5;
    this.table = opts.prefixTable ?? null;
    this.maxFillBins = opts.maxFillBins ?? 288;
  }

  private peer(key: string): PeerState {
    let p = this.peers.get(key);
    if (!p) {
      p = { key, routes: new Map() };
      this.peers.set(key, p);
      this.peerIndex.set(p, this.peerList.length);
      this.peerList.push(p);
    }
    return p;
  }

  private setRoute(p: PeerState, pfx: Prefix, origin: number | null): void {
    if (pfx.afi !== 1) return;
    const k = pkey(pfx.v4, pfx.len);
    const rk = pfx.pathId === 0 ? k : `${k}:${pfx.pathId}`;
    const o = origin ?? NO_ORIGIN;
    const old = p.routes.get(rk);
    if (old === o) return;
    if (old !== undefined) this.unlink(p, k, old);
    p.routes.set(rk, o);
    if (o !== NO_ORIGIN && pfx.len >= 1 && pfx.len <= 24) {
      let m = this.byOrigin.get(o);
      if (!m) { m = new Map(); this.byOrigin.set(o, m); }
      let s = m.get(k);
      if (!s) { s = new Map(); m.set(k, s); }
      const pi = this.peerIndex.get(p)!;
      s.set(pi, (s.get(pi) ?? 0) + 1);
      this.dirty.add(o);
    }
  }

  private unlink(p: PeerState, k: number, o: number): void {
    if (o === NO_ORIGIN) return;
    const m = this.byOrigin.get(o);
    const s = m?.get(k);
    if (!s) return;
    const pi = this.peerIndex.get(p)!;
    const n = (s.get(pi) ?? 0) - 1;
    if (n > 0) s.set(pi, n); else s.delete(pi);
    if (s.size === 0) m!.delete(k);
    this.dirty.add(o);
  }

  private withdraw(p: PeerState, pfx: Prefix): void {
    if (pfx.afi !== 1) return;
    const k = pkey(pfx.v4, pfx.len);
    const rk = pfx.pathId === 0 ? k : `${k}:${pfx.pathId}`;
    const old = p.routes.get(rk);
    if (old === undefined) return;
    this.unlink(p, k, old);
    p.routes.delete(rk);
  }

  private clearPeer(p: PeerState): void {
    for (const [rk, o] of p.routes) this.unlink(p, typeof rk === 'number' ? rk : Number(rk.slice(0, rk.indexOf(':'))), o);
    p.routes.clear();
  }

  /**
   * Applies one decoded record; returns the rows of every bin that ended before it (in order).
   * Records older than the current bin are applied to the state without reopening past bins.
   */
  apply(e: MrtEntry): BgpVisibilityRow[] {
    const t = e.record.timestamp;
    const rows = this.advanceTo(t);
    switch (e.kind) {
      case 'rib':
        for (const en of e.entries) {
          this.elements++;
          this.setRoute(this.peer(`${en.peer.ip}|${en.peer.asn}`), en.pathId ? { ...e.prefix, pathId: en.pathId } : e.prefix, origin(en.attrs));
        }
        break;
      case 'table_dump':
        this.elements++;
        this.setRoute(this.peer(`${e.peerIp}|${e.peerAs}`), e.prefix, origin(e.attrs));
        break;
      case 'update': {
        const p = this.peer(`${e.peerIp}|${e.peerAs}`);
        const a = e.attrs;
        for (const x of e.withdrawn) { this.elements++; this.withdraw(p, x); }
        const un = a.mpUnreach?.get(257);
        if (un) for (const x of un.prefixes) { this.elements++; this.withdraw(p, x); }
        const o = origin(a);
        for (const x of e.announced) { this.elements++; this.setRoute(p, x, o); }
        const re = a.mpReach?.get(257);
        if (re) for (const x of re.prefixes) { this.elements++; this.setRoute(p, x, o); }
        break;
      }
      case 'state':
        this.elements++;
        // RFC 4271 §8: leaving Established drops every route learned on the session.
        if (e.oldState === 6 && e.newState !== 6) {
          const p = this.peers.get(`${e.peerIp}|${e.peerAs}`);
          if (p) this.clearPeer(p);
        }
        break;
      default:
        break;
    }
    return rows;
  }

  /** Emits the rows of every bin ending at or before t. */
  advanceTo(t: number): BgpVisibilityRow[] {
    const b = Math.floor(t / this.binSeconds) * this.binSeconds;
    if (this.bin === null) { this.bin = b; return []; }
    const rows: BgpVisibilityRow[] = [];
    if (b <= this.bin) return rows;
    const snap = this.snapshot();
    // Quiet bins repeat the state; a gap longer than maxFillBins (files far apart in time, a bad
    // timestamp) is left empty — "no data", not a copy of old state.
    const last = Math.min(b, this.bin + this.maxFillBins * this.binSeconds);
    for (let x = this.bin; x < last; x += this.binSeconds) rows.push(...this.rowsAt(x, snap));
    this.bin = b;
    return rows;
  }

  /** Rows for the bin in progress (call at the end of the input). */
  finish(): BgpVisibilityRow[] {
    if (this.bin === null) return [];
    const rows = this.rowsAt(this.bin, this.snapshot());
    this.bin += this.binSeconds;
    return rows;
  }

  /**
   * One row per origin AS and bin (the store keys rows by (t, asn)): its /24 total, and as `cc`
   * the country holding most of those /24s in the prefix table ('' without one). Country totals
   * are sums over rows by cc. A network gone dark keeps the country it last had.
   */
  private rowsAt(t: number, snap: { counts: Map<number, Map<string, number>>; peers: number }): BgpVisibilityRow[] {
    const rows: BgpVisibilityRow[] = [];
    for (const [asn, m] of snap.counts) {
      let total = 0;
      let best = '';
      let bestN = -1;
      for (const [cc, n] of m) {
        total += n;
        if (n > bestN || (n === bestN && cc < best)) { best = cc; bestN = n; }
      }
      let cc = best;
      if (total > 0) this.lastCc.set(asn, cc); else cc = this.lastCc.get(asn) ?? best;
      rows.push({ t, asn, cc, slash24: total, peers: snap.peers });
    }
    rows.sort((a, b) => a.asn - b.asn);
    return rows;
  }

  /** Peers counted: full-feed ones (or all with routes when visibilityFraction is 0). */
  eligiblePeers(): boolean[] {
    const counts = this.peerList.map((p) => p.routes.size); // IPv4 routes only are kept
    const max = Math.max(0, ...counts);
    return counts.map((n) => n > 0 && (this.visibilityFraction === 0 || n >= this.fullFeedFraction * max));
  }

  /** Current /24 counts per origin and country (state now), recomputing only what changed. */
  snapshot(): { counts: Map<number, Map<string, number>>; peers: number } {
    const eligible = this.eligiblePeers();
    const sig = eligible.map((x) => (x ? '1' : '0')).join('');
    if (sig !== this.lastFull) {
      this.lastFull = sig;
      this.fullCount = eligible.filter(Boolean).length;
      for (const o of this.byOrigin.keys()) this.dirty.add(o);
      for (const o of this.cache.keys()) this.dirty.add(o);
    }
    const need = this.visibilityFraction === 0 ? 1 : Math.max(1, Math.ceil(this.visibilityFraction * this.fullCount - 1e-9));
    for (const o of this.dirty) {
      const m = this.byOrigin.get(o);
      const res = m ? this.countOrigin(m, eligible, need) : new Map<string, number>();
      // keep reporting a network (or its part in one country) that went dark: a zero is the signal
      const prev = this.cache.get(o);
      if (prev) for (const cc of prev.keys()) if (!res.has(cc)) res.set(cc, 0);
      if (res.size) this.cache.set(o, res);
    }
    this.dirty.clear();
    return { counts: this.cache, peers: this.fullCount };
  }

  private cc(k: number): string {
    if (!this.table) return '';
    let c = this.ccCache.get(k);
    if (c === undefined) {
      const len = k % 64;
      c = this.table.lookup((k - len) / 64, len)?.cc ?? '';
      this.ccCache.set(k, c);
    }
    return c;
  }

  private countOrigin(m: Map<number, Map<number, number>>, eligible: boolean[], need: number): Map<string, number> {
    const out = new Map<string, number>();
    const items = [...m.keys()].sort((a, b) => a - b);
    let i = 0;
    while (i < items.length) {
      // a cluster: prefixes of this origin that overlap the first one's span
      const k0 = items[i];
      const len0 = k0 % 64;
      const a0 = (k0 - len0) / 64;
      let end = a0 + 2 ** (32 - len0);
      let j = i + 1;
      while (j < items.length) {
        const kj = items[j];
        const aj = (kj - (kj % 64)) / 64;
        if (aj >= end) break;
        end = Math.max(end, aj + 2 ** (32 - (kj % 64)));
        j++;
      }
      if (j === i + 1) {
        let n = 0;
        for (const p of m.get(k0)!.keys()) if (eligible[p]) n++;
        if (n >= need) add(out, this.cc(k0), 2 ** (24 - len0));
      } else {
        // Overlapping prefixes of one origin: a peer counts once per /24 (union per peer). Split
        // the span at every prefix boundary and count each piece once, instead of expanding /24s
        // (a /8 would be 65,536 blocks).
        const spans: Array<{ s: number; e: number; len: number; cc: string; peers: number[] }> = [];
        const cuts = new Set<number>();
        for (let q = i; q < j; q++) {
          const k = items[q];
          const len = k % 64;
          const st = (k - len) / 64 / 256;
          const en = st + 2 ** (24 - len);
          spans.push({ s: st, e: en, len, cc: this.cc(k), peers: [...m.get(k)!.keys()].filter((p) => eligible[p]) });
          cuts.add(st);
          cuts.add(en);
        }
        const pts = [...cuts].sort((a, b) => a - b);
        for (let c = 0; c + 1 < pts.length; c++) {
          const a = pts[c];
          const b = pts[c + 1];
          const seen = new Set<number>();
          let cc = '';
          let best = -1;
          for (const sp of spans) {
            if (sp.s <= a && sp.e >= b) {
              for (const p of sp.peers) seen.add(p);
              if (sp.len > best) { best = sp.len; cc = sp.cc; }
            }
          }
          if (best >= 0 && seen.size >= need) add(out, cc, b - a);
        }
      }
      i = j;
    }
    return out;
  }
}

function add(m: Map<string, number>, cc: string, n: number): void {
  m.set(cc, (m.get(cc) ?? 0) + n);
}

function origin(a: Attributes): number | null {
  return originAsn(a.asPath);
}

/** Visibility rows for a sequence of decoded batches (a RIB then update files, in time order). */
export async function visibilityFromBatches(batches: AsyncIterable<MrtEntry[]>, tracker: VisibilityTracker, onRows: (rows: BgpVisibilityRow[]) => Promise<void> | void): Promise<void> {
  for await (const batch of batches) {
    let rows: BgpVisibilityRow[] = [];
    for (const e of batch) {
      const r = tracker.apply(e);
      if (r.length) rows = rows.concat(r);
    }
    if (rows.length) await onRows(rows);
  }
}
