// Reads the server name (SNI, RFC 6066 §3) from a TLS ClientHello (RFC 8446 §4.1.2), the way an
// on-path censor does: from the first TLS record, before any handshake takes place.

export type SniResult =
  | { kind: 'need_more' }                 // the first record is not complete yet
  | { kind: 'not_tls' }                   // the bytes are not a TLS handshake record
  | { kind: 'hello'; sni: string | null };

const MAX_RECORD = 16384 + 256;

export function parseClientHello(buf: Buffer): SniResult {
  if (buf.length < 5) return buf.length > 0 && buf[0] !== 0x16 ? { kind: 'not_tls' } : { kind: 'need_more' };
  if (buf[0] !== 0x16 || buf[1] !== 0x03) return { kind: 'not_tls' };
  const recLen = buf.readUInt16BE(3);
  if (recLen > MAX_RECORD) return { kind: 'not_tls' };
  if (buf.length < 5 + recLen) return { kind: 'need_more' };
  const rec = buf.subarray(5, 5 + recLen);
  try {
    return { kind: 'hello', sni: sniOf(rec) };
  } catch {
    return { kind: 'hello', sni: null }; // malformed or truncated hello: no name to match on
  }
}

function sniOf(h: Buffer): string | null {
  if (h[0] !== 0x01) return null;             // not a ClientHello
  let p = 4 + 2 + 32;                         // handshake header, legacy_version, random
  p += 1 + h[p];                              // legacy_session_id
  p += 2 + h.readUInt16BE(p);                 // cipher_suites
  p += 1 + h[p];                              // legacy_compression_methods
  if (p + 2 > h.length) return null;
  const end = Math.min(h.length, p + 2 + h.readUInt16BE(p));
  p += 2;
  while (p + 4 <= end) {
    const type = h.readUInt16BE(p);
    const len = h.readUInt16BE(p + 2);
    p += 4;
    if (type === 0x0000) {
      let q = p + 2;                          // server_name_list length
      const listEnd = Math.min(p + len, end);
      while (q + 3 <= listEnd) {
        const nameType = h[q];
        const nameLen = h.readUInt16BE(q + 1);
        q += 3;
        if (nameType === 0) return h.subarray(q, q + nameLen).toString('latin1').toLowerCase();
        q += nameLen;
      }
      return null;
    }
    p += len;
  }
  return null;
}
