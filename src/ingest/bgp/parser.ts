// The MRT parser's public face: bytes (a file path or any async byte source) in, decoded records
// out, with a report of everything skipped and where. Streaming and constant-memory: records are
// decoded batch by batch as chunks arrive. Never throws on bad data (only on a file that cannot be
// opened at all).
import { decodeRecord, newDecodeState, type DecodeState } from './decode.js';
import { openMrtInput, type Bzip2Mode, type Compression } from './input.js';
import { readMrtBatches, type FrameStats } from './records.js';
import type { MrtEntry, MrtWarning } from './types.js';

/** Warnings kept in full; past this only counted (an attribute flood must not flood memory). */
export const MAX_WARNINGS = 1000;

export interface ParseReport {
  records: number;
  bytes: number;
  /** records decoded into an entry */
  decoded: number;
  warnings: MrtWarning[];
  /** warnings beyond MAX_WARNINGS, counted only */
  droppedWarnings: number;
  /** records skipped by length, per "type/subtype" */
  skipped: Record<string, number>;
  compression?: Compression;
  decoder?: string;
}

export function newReport(): ParseReport {
  return { records: 0, bytes: 0, decoded: 0, warnings: [], droppedWarnings: 0, skipped: {} };
}

/** Decoded MRT entries in batches (one per input chunk) from a byte source. */
export async function* parseMrtBatches(source: AsyncIterable<Uint8Array>, report: ParseReport = newReport(), state: DecodeState = newDecodeState()): AsyncGenerator<MrtEntry[]> {
  const frame: FrameStats = { records: 0, bytes: 0 };
  // one array for the whole run: readMrtBatches keeps a reference to it
  const warnings: MrtWarning[] = [];
  const flush = () => {
    for (const w of warnings) {
      if (report.warnings.length < MAX_WARNINGS) report.warnings.push(w);
      else report.droppedWarnings++;
    }
    warnings.length = 0;
  };
  try {
    for await (const batch of readMrtBatches(source, warnings, frame)) {
      const out: MrtEntry[] = [];
      for (const rec of batch) {
        let e: MrtEntry | null = null;
        try {
          e = decodeRecord(rec, state, warnings);
        } catch (err) {
          // A decoder bug must not end the file: report the record and go on.
          warnings.push({ offset: rec.offset, reason: `record type ${rec.type}/${rec.subtype} could not be decoded: ${(err as Error).message}` });
        }
        if (e) out.push(e);
      }
      report.decoded += out.length;
      flush();
      if (out.length) yield out;
    }
  } finally {
    flush();
    report.records = frame.records;
    report.bytes = frame.bytes;
    for (const [k, n] of state.skipped) report.skipped[k] = n;
  }
}

/** Decoded entries one by one. */
export async function* parseMrt(source: AsyncIterable<Uint8Array>, report: ParseReport = newReport()): AsyncGenerator<MrtEntry> {
  for await (const batch of parseMrtBatches(source, report)) yield* batch;
}

/** Opens a plain, gzip or bzip2 MRT file and parses it. */
export async function parseMrtFile(path: string, report: ParseReport = newReport(), opts: { bzip2?: Bzip2Mode; mask?: boolean } = {}): Promise<AsyncGenerator<MrtEntry[]>> {
  const input = await openMrtInput(path, opts);
  report.compression = input.compression;
  report.decoder = input.decoder;
  return parseMrtBatches(input.chunks, report, newDecodeState({ mask: opts.mask }));
}

/** One line per warning, for stderr: "FILE: offset N: reason". */
export function formatReport(file: string, r: ParseReport): string[] {
  const lines = r.warnings.map((w) => `${file}: offset ${w.offset}: ${w.reason}`);
  if (r.droppedWarnings) lines.push(`${file}: ${r.droppedWarnings} more warnings not shown`);
  for (const [k, n] of Object.entries(r.skipped)) lines.push(`${file}: skipped ${n} record(s) of MRT type/subtype ${k} (not decoded)`);
  return lines;
}
