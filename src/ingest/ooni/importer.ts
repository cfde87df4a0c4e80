// `vigil import ooni`: OONI measurements from JSON, JSONL, gzip, directories or stdin into the store,
// streaming (one line at a time, batches of `batchSize` into `ingest`), so memory does not grow with
// the file. Every bad line is reported with file:line and a reason and never stops the import.
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Store } from '../../store/store.js';
import { ingest } from '../pipeline.js';
import { classify } from './classify.js';
import { DEFAULT_LINE_CAP, decompressed, splitLines } from './lines.js';
import { VigilError } from '../../model/errors.js';

/** A batch the store could not write: ends the import (unlike a bad line or a bad file). */
class StoreWriteError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}


export interface ImportOptions {
  stdin?: Readable;
  batchSize?: number;
  lineCap?: number;
  /** rejections kept with their reason (the rest are only counted) */
  keepRejections?: number;
  onProgress?: (s: ImportSummary) => void;
}

export interface ImportSummary {
  files: number;
  bytes: number;
  imported: number;
  duplicates: number;
  rejected: number;
  rejections: Array<{ where: string; error: string }>;
  skipped: Array<{ file: string; reason: string }>;
  errors: Array<{ file: string; error: string }>;
}

const DATA_FILE = /\.(json|jsonl|ndjson|json\.gz|jsonl\.gz|ndjson\.gz|gz)$/i;

async function* expand(paths: string[], summary: ImportSummary): AsyncGenerator<string> {
  for (const p of paths) {
    if (p === '-') { yield p; continue; }
    let st;
    try {
      st = await stat(p);
    } catch (e) {
      summary.errors.push({ file: p, error: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message });
      continue;
    }
    if (!st.isDirectory()) { yield p; continue; }
    const names = (await readdir(p)).sort();
    for (const n of names) {
      const child = join(p, n);
      const cst = await stat(child).catch(() => null);
      if (!cst) continue;
      if (cst.isDirectory()) yield* expand([child], summary);
      else if (DATA_FILE.test(n)) yield child;
      else summary.skipped.push({ file: child, reason: 'not a .json, .jsonl or .gz file' });
    }
  }
}

export async function importOoni(store: Store, paths: string[], opts: ImportOptions = {}): Promise<ImportSummary> {
  const summary: ImportSummary = { files: 0, bytes: 0, imported: 0, duplicates: 0, rejected: 0, rejections: [], skipped: [], errors: [] };
  const batchSize = opts.batchSize ?? 1000;
  const cap = opts.lineCap ?? DEFAULT_LINE_CAP;
  const keep = opts.keepRejections ?? 20;
  const reject = (where: string, error: string) => {
    summary.rejected++;
    if (summary.rejections.length < keep) summary.rejections.push({ where, error });
  };
  let batch: Array<{ item: unknown; where: string }> = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const b = batch;
    batch = [];
    let r: Awaited<ReturnType<typeof ingest>>;
    try {
      r = await ingest(store, b.map((x) => x.item), { testKeys: 'lenient' });
    } catch (e) {
      // the store failed (disk full, lock, …): stop here, saying where, instead of reading on and
      // reporting lines as kept that were not written
      throw new StoreWriteError(`store write failed at ${b[0].where}: ${(e as Error).message.split('\n')[0]}`, e);
    }
    summary.imported += r.accepted;
    summary.duplicates += r.duplicates;
    for (const x of r.rejected) reject(b[x.index].where, x.error);
    opts.onProgress?.(summary);
  };

  for await (const file of expand(paths, summary)) {
    summary.files++;
    const name = file === '-' ? '(stdin)' : file;
    const skips = new Map<string, number>();
    let measurements = 0;
    let lastLine = 0;
    const handle = async (value: unknown, where: string) => {
      const c = classify(value);
      if (c.kind === 'skip') { skips.set(c.reason, (skips.get(c.reason) ?? 0) + 1); return; }
      if (c.kind === 'reject') { reject(where, c.reason); return; }
      c.items.forEach((item, k) => batch.push({ item, where: c.items.length > 1 ? `${where}[${k}]` : where }));
      measurements += c.items.length;
      if (batch.length >= batchSize) await flush();
    };
    // a pretty-printed JSON document (first line a lone "{" or "[") is read whole, up to the cap
    let doc: Buffer[] | null = null;
    let docLen = 0;
    let sawContent = false;
    const decoder = new TextDecoder('utf-8', { fatal: true });
    try {
      const src = file === '-' ? (opts.stdin ?? process.stdin) : createReadStream(file);
      for await (const line of splitLines(decompressed(src), cap)) {
        lastLine = line.no;
        summary.bytes += line.bytes + 1;
        const where = `${name}:${line.no}`;
        if (doc) {
          docLen += line.bytes + 1;
          if (line.data === null || docLen > cap) throw new Error(`a JSON document over ${cap} bytes: convert it to JSONL (one measurement per line)`);
          doc.push(line.data, Buffer.from('\n'));
          continue;
        }
        if (line.data === null) { reject(where, `line of ${line.bytes} bytes exceeds the ${cap}-byte limit`); continue; }
        let text: string;
        try {
          text = decoder.decode(line.data);
        } catch {
          reject(where, 'invalid UTF-8');
          continue;
        }
        if (text.trim() === '') continue;
        const firstContent = !sawContent;
        sawContent = true;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (e) {
          if (firstContent && /^\s*(\{|\[|\[\s*\{)\s*$/.test(text)) { doc = [line.data, Buffer.from('\n')]; docLen = line.bytes + 1; continue; }
          reject(where, `invalid JSON: ${(e as Error).message.split('\n')[0].slice(0, 200)}`);
          continue;
        }
        await handle(value, where);
      }
      if (doc) {
        let value: unknown;
        let text: string | null = null;
        try {
          text = decoder.decode(Buffer.concat(doc));
        } catch {
          reject(`${name}:1`, 'invalid UTF-8');
        }
        if (text !== null) {
          try {
            value = JSON.parse(text);
          } catch (e) {
            reject(`${name}:1`, `invalid JSON: ${(e as Error).message.split('\n')[0].slice(0, 200)}`);
          }
          if (value !== undefined) await handle(value, `${name}:1`);
        }
      }
    } catch (e) {
      if (e instanceof StoreWriteError) throw new VigilError('STORE', `${e.message}; ${summary.imported} imported before it (a re-run imports the rest)`, { cause: e });
      const msg = (e as NodeJS.ErrnoException).code === 'Z_BUF_ERROR' || /unexpected end of file/.test((e as Error).message)
        ? 'truncated gzip stream (unexpected end of file)'
        : (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message.split('\n')[0];
      summary.errors.push({ file: name, error: `${msg}; lines before ${lastLine + 1} kept` });
    }
    try {
      await flush();
    } catch (e) {
      if (e instanceof StoreWriteError) throw new VigilError('STORE', `${e.message}; ${summary.imported} imported before it (a re-run imports the rest)`, { cause: e });
      throw e;
    }
    if (!sawContent && !summary.errors.some((x) => x.file === name)) summary.skipped.push({ file: name, reason: 'empty' });
    for (const [reason, n] of skips) {
      summary.skipped.push({ file: name, reason: n > 1 || measurements > 0 ? `${reason} (${n} records)` : reason });
    }
  }
  return summary;
}
