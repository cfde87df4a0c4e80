// Address text forms exactly as bgpdump prints them: inet_ntoa for IPv4 and glibc's inet_ntop for
// IPv6 (longest run of zero groups shown as "::" — even a single group, as glibc does — first
// run on a tie; an address whose
// first 96 bits are zero, or ::ffff:0:0/96, ends in dotted IPv4 — RFC 4291 §2.2 forms 2 and 3).

/** Dotted quad of the 4 bytes at `off` (missing bytes read as 0). */
export function ipv4ToString(b: Uint8Array, off = 0): string {
  return `${b[off] ?? 0}.${b[off + 1] ?? 0}.${b[off + 2] ?? 0}.${b[off + 3] ?? 0}`;
}

/** inet_ntop(AF_INET6) of the 16 bytes at `off` (missing bytes read as 0). */
export function ipv6ToString(b: Uint8Array, off = 0): string {
  const w: number[] = new Array(8);
  for (let i = 0; i < 8; i++) w[i] = ((b[off + 2 * i] ?? 0) << 8) | (b[off + 2 * i + 1] ?? 0);
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (w[i] === 0) {
      if (curBase === -1) { curBase = i; curLen = 1; } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) { bestBase = curBase; bestLen = curLen; }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) { bestBase = curBase; bestLen = curLen; }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ':';
      continue;
    }
    if (i !== 0) s += ':';
    // glibc: dotted IPv4 tail for ::a.b.c.d (6 zero groups) and ::ffff:a.b.c.d
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      s += ipv4ToString(b, off + 12);
      return s;
    }
    s += w[i].toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) s += ':';
  return s;
}
