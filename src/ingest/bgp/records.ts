// MRT framing (RFC 6396 §2): a 12-byte common header — timestamp u32, type u16, subtype u16,
// length u32 — then `length` bytes; BGP4MP_ET (§3) adds a u32 microsecond field counted in the
// length. Reads a byte stream chunk by chunk, holding at most one record plus one chunk, so memory
// stays constant however large the file. Record bodies are views into the chunks (no copy).
import type { MrtRecord, MrtWarning } from './types.js';
import { MRT } from './types.js';

/** Larger than any real record (RIS has had RIB records of a few hundred KiB); a length above
 * this is a lying field: reading on would buffer the rest of the file as one record. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

export interface FrameStats {
  records: number;
  bytes: number;
}

/**
 * Async batches of MRT records from a byte stream. Never throws for bad data: a truncated tail,
 * an impossible length or a stream error ends the iteration with a warning in `warnings`.
 */
export async function* readMrtBatches(source: AsyncIterable<Uint8Array>, warnings: MrtWarning[], stats: FrameStats = { records: 0, bytes: 0 }): AsyncGenerator<MrtRecord[]> {
  let buf: Uint8Array = new Uint8Array(0);
  let pos = 0;
  let base = 0; // stream offset of buf[0]
  let stopped = false;
  // Chunks waiting until enough bytes arrived for the record at `pos` (`need`): joined once, so a
  // record spanning many chunks costs one copy, not one per chunk.
  let pending: Uint8Array[] = [];
  let pendingLen = 0;
  let need = 12;
  try {
    for await (const chunk of source) {
      if (chunk.length === 0) continue;
      if (pos >= buf.length && pending.length === 0) {
        base += buf.length;
        buf = chunk;
        pos = 0;
      } else {
        pending.push(chunk);
        pendingLen += chunk.length;
        const rest = buf.length - pos;
        if (rest + pendingLen < need) continue;
        const merged = new Uint8Array(rest + pendingLen);
        merged.set(buf.subarray(pos), 0);
        let o = rest;
        for (const c of pending) { merged.set(c, o); o += c.length; }
        pending = [];
        pendingLen = 0;
        base += pos;
        buf = merged;
        pos = 0;
      }
      const batch: MrtRecord[] = [];
      while (buf.length - pos >= 12) {
        const b = buf;
        const p = pos;
        const length = ((b[p + 8] << 24) | (b[p + 9] << 16) | (b[p + 10] << 8) | b[p + 11]) >>> 0;
        if (length > MAX_RECORD_BYTES) {
          warnings.push({ offset: base + p, reason: `record length ${length} exceeds ${MAX_RECORD_BYTES} bytes: lying length field, rest of the stream (${buf.length - p} bytes buffered) skipped` });
          stopped = true;
          break;
        }
        if (buf.length - p < 12 + length) { need = 12 + length; break; }
        const type = (b[p + 4] << 8) | b[p + 5];
        const rec: MrtRecord = {
          offset: base + p,
          timestamp: ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0,
          microseconds: 0,
          type,
          subtype: (b[p + 6] << 8) | b[p + 7],
          body: b.subarray(p + 12, p + 12 + length),
        };
        if (type === MRT.BGP4MP_ET) {
          if (length < 4) {
            warnings.push({ offset: rec.offset, reason: `BGP4MP_ET record of ${length} bytes has no room for its microsecond field: skipped` });
            pos = p + 12 + length;
            continue;
          }
          rec.microseconds = ((b[p + 12] << 24) | (b[p + 13] << 16) | (b[p + 14] << 8) | b[p + 15]) >>> 0;
          rec.body = b.subarray(p + 16, p + 12 + length);
        }
        pos = p + 12 + length;
        stats.records++;
        stats.bytes += 12 + length;
        batch.push(rec);
      }
      if (buf.length - pos < 12) need = 12;
      if (batch.length) yield batch;
      if (stopped) return;
    }
  } catch (e) {
    warnings.push({ offset: base + buf.length, reason: `input stream failed: ${(e as Error).message}` });
  }
  if (pending.length && !stopped) {
    const rest = buf.length - pos;
    const merged = new Uint8Array(rest + pendingLen);
    merged.set(buf.subarray(pos), 0);
    let o = rest;
    for (const c of pending) { merged.set(c, o); o += c.length; }
    base += pos;
    buf = merged;
    pos = 0;
  }
  const left = buf.length - pos;
  if (left > 0 && !stopped) {
    const b = buf;
    const p = pos;
    if (left < 12) {
      warnings.push({ offset: base + p, reason: `truncated tail: ${left} bytes, less than an MRT header` });
    } else {
      const length = ((b[p + 8] << 24) | (b[p + 9] << 16) | (b[p + 10] << 8) | b[p + 11]) >>> 0;
      warnings.push({ offset: base + p, reason: `truncated record: header says ${length} bytes, only ${left - 12} remain` });
    }
  }
}

/** The same records one by one. */
export async function* readMrtRecords(source: AsyncIterable<Uint8Array>, warnings: MrtWarning[]): AsyncGenerator<MrtRecord> {
  for await (const batch of readMrtBatches(source, warnings)) yield* batch;
}
