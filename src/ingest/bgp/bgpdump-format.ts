// bgpdump `-m` lines (RIPE NCC bgpdump 1.6.x, bgpdump.c): one line per RIB entry, announced or
// withdrawn prefix, or state change:
//   TYPE|time|A/W/B|peer_ip|peer_as|prefix[|path_id]|as_path|origin|next_hop|local_pref|med|communities|AG/NAG|aggregator|
//   TYPE|time|STATE|peer_ip|peer_as|old|new
// Defaults and oddities are bgpdump's: an absent NEXT_HOP prints 255.255.255.255, absent
// LOCAL_PREF / MED print 0, an absent ORIGIN prints INCOMPLETE, large and extended communities
// are not printed (bgpdump needs -l for those), and an MP_REACH next hop whose length is not 4,
// 16 or 32 leaves its fields out entirely.
import { asPathToString, ATTR, hasAttr } from './attributes.js';
import { ipv4ToString, ipv6ToString } from './ip.js';
import { MRT } from './types.js';
import type { Attributes, MpNlri, MrtEntry, Prefix, RibRecord, UpdateRecord } from './types.js';

const INADDR_NONE = 0xffffffff;

export function v4ToString(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

export function prefixToString(p: Prefix): string {
  return p.afi === 1 ? `${v4ToString(p.v4)}/${p.len}` : `${ipv6ToString(p.v6!)}/${p.len}`;
}

function describeOrigin(o: number): string {
  return o === 0 ? 'IGP' : o === 1 ? 'EGP' : 'INCOMPLETE';
}

export function communitiesToString(c: number[]): string {
  let s = '';
  for (let i = 0; i < c.length; i++) {
    const v = c[i];
    const t = v === 0xffffff01 ? 'no-export' : v === 0xffffff02 ? 'no-advertise' : v === 0xffffff03 ? 'local-AS' : `${v >>> 16}:${v & 0xffff}`;
    s += i === 0 ? t : ' ' + t;
  }
  return s;
}

/** The fields after next hop / pref / med: communities|AG|aggregator| */
function tail(a: Attributes): string {
  const comm = a.communities && hasAttr(a, ATTR.COMMUNITIES) ? communitiesToString(a.communities) : '';
  const ag = a.atomicAggregate ? 'AG' : 'NAG';
  const agg = a.aggregator && a.aggregator.addr !== INADDR_NONE ? `${a.aggregator.asn} ${v4ToString(a.aggregator.addr)}` : '';
  return `${comm}|${ag}|${agg}|`;
}

function pathText(a: Attributes): string {
  return a.asPath ? asPathToString(a.asPath) : '';
}

function nh(mp: MpNlri): string | null {
  if (!mp.nextHop) return null;
  return mp.nextHopLen === 4 ? ipv4ToString(mp.nextHop) : ipv6ToString(mp.nextHop);
}

function timeText(e: MrtEntry): string {
  const r = e.record;
  return r.type === MRT.BGP4MP_ET ? `${r.timestamp}.${String(r.microseconds).padStart(6, '0')}` : String(r.timestamp);
}

function ribLines(e: RibRecord): string {
  const head = `${e.addPath ? 'TABLE_DUMP2_AP' : 'TABLE_DUMP2'}|${e.record.timestamp}|B|`;
  const pfx = prefixToString(e.prefix);
  let out = '';
  for (const en of e.entries) {
    const a = en.attrs;
    let nexthop: string;
    const mp6 = a.mpReach && hasAttr(a, ATTR.MP_REACH) ? a.mpReach.get(2 * 256 + 1) ?? a.mpReach.get(1 * 256 + 1) : undefined;
    if (mp6) nexthop = nh(mp6) ?? '';
    else nexthop = v4ToString(a.nextHop ?? INADDR_NONE);
    out += `${head}${en.peer.ip}|${en.peer.asn}|${pfx}|${e.addPath ? `${en.pathId}|` : ''}${pathText(a)}|${describeOrigin(a.origin)}|${nexthop}|${a.localPref ?? 0}|${a.med ?? 0}|${tail(a)}\n`;
  }
  return out;
}

function updateLines(e: UpdateRecord): string {
  const r = e.record;
  const fmt = `${r.type === MRT.BGP4MP_ET ? 'BGP4MP_ET' : 'BGP4MP'}${e.local ? '_LOCAL' : ''}${e.addPath ? '_AP' : ''}`;
  const head = `${fmt}|${timeText(e)}|`;
  const peer = `${e.peerIp}|${e.peerAs}|`;
  const a = e.attrs;
  let out = '';
  const w = (list: Prefix[]) => {
    for (const p of list) out += `${head}W|${peer}${prefixToString(p)}${e.addPath ? `|${p.pathId}` : ''}\n`;
  };
  w(e.withdrawn);
  if (a.mpUnreach) {
    for (const k of [257, 258, 259, 513, 514, 515]) {
      const mp = a.mpUnreach.get(k);
      if (mp) w(mp.prefixes);
    }
  }
  const pref = a.localPref ?? 0;
  const med = a.med ?? 0;
  const path = e.announced.length || a.mpReach ? pathText(a) : '';
  const origin = describeOrigin(a.origin);
  if (e.announced.length) {
    const t = `${origin}|${v4ToString(a.nextHop ?? INADDR_NONE)}|${pref}|${med}|${tail(a)}`;
    for (const p of e.announced) out += `${head}A|${peer}${prefixToString(p)}|${e.addPath ? `${p.pathId}|` : ''}${path}|${t}\n`;
  }
  if (a.mpReach) {
    const t = tail(a);
    for (const k of [257, 258, 259]) {
      const mp = a.mpReach.get(k);
      if (!mp || !mp.prefixes.length) continue;
      const n = nh(mp);
      // announce_1 prints pref/med with %d
      const mid = n === null ? '' : `${n}|${pref | 0}|${med | 0}|`;
      for (const p of mp.prefixes) out += `${head}A|${peer}${prefixToString(p)}|${e.addPath ? `${p.pathId}|` : ''}${path}|${origin}|${mid}${t}\n`;
    }
    for (const k of [513, 514, 515]) {
      const mp = a.mpReach.get(k);
      if (!mp || !mp.prefixes.length) continue;
      const n = nh(mp);
      const mid = n === null ? '' : `${path}|${origin}|${n}|${pref}|${med}|`;
      for (const p of mp.prefixes) out += `${head}A|${peer}${prefixToString(p)}|${e.addPath ? `${p.pathId}|` : ''}${mid}${t}\n`;
    }
  }
  return out;
}

/** bgpdump -m text for one decoded record ('' when bgpdump prints nothing for it). */
export function formatBgpdump(e: MrtEntry): string {
  switch (e.kind) {
    case 'rib': return ribLines(e);
    case 'update': return updateLines(e);
    case 'state':
      return `${e.record.type === MRT.BGP4MP_ET ? 'BGP4MP_ET' : 'BGP4MP'}|${timeText(e)}|STATE|${e.peerIp}|${e.peerAs}|${e.oldState}|${e.newState}\n`;
    case 'table_dump': {
      const a = e.attrs;
      const mp6 = a.mpReach && hasAttr(a, ATTR.MP_REACH) ? a.mpReach.get(2 * 256 + 1) : undefined;
      let nexthop: string;
      if (mp6) {
        const b = new Uint8Array(16);
        if (mp6.nextHop) b.set(mp6.nextHop);
        nexthop = ipv6ToString(b);
      } else nexthop = v4ToString(a.nextHop ?? INADDR_NONE);
      return `TABLE_DUMP|${e.record.timestamp}|B|${e.peerIp}|${e.peerAs}|${prefixToString(e.prefix)}|${pathText(a)}|${describeOrigin(a.origin)}|${nexthop}|${a.localPref ?? 0}|${a.med ?? 0}|${tail(a)}\n`;
    }
    default: return '';
  }
}
