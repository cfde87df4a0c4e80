// Streaming input for the importer: transparent gunzip (by magic bytes, so stdin and misnamed files
// work) and a line splitter with a hard cap. A line longer than the cap is reported and skipped
// without ever being held whole: past the cap its bytes are counted and dropped, so memory stays
// bounded by the cap whatever the file holds.
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';

// 32 MB: OONI's largest real measurements (web_connectivity with big bodies) are a few MB.
export const DEFAULT_LINE_CAP = 32 * 1024 * 1024;

export interface Line {
  no: number;            // 1-based line number
  data: Buffer | null;   // null when the line exceeded the cap
  bytes: number;         // the line's full length
}

/** Yields the decompressed bytes of `src`, gunzipping when it starts with the gzip magic 1f 8b. */
export async function* decompressed(src: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  const it = src[Symbol.asyncIterator]();
  let first = await it.next();
  while (!first.done && first.value.length === 0) first = await it.next();
  if (first.done) return;
  const head = Buffer.isBuffer(first.value) ? first.value : Buffer.from(first.value);
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield Buffer.isBuffer(n.value) ? n.value : Buffer.from(n.value);
    }
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gz = createGunzip();
    const input = Readable.from(all());
    input.on('error', (e) => gz.destroy(e));
    input.pipe(gz);
    yield* gz as AsyncIterable<Buffer>;
  } else {
    yield* all();
  }
}

/** Splits a byte stream on \n (a trailing \r is dropped), enforcing `cap` bytes per line. */
export async function* splitLines(src: AsyncIterable<Buffer>, cap = DEFAULT_LINE_CAP): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let len = 0;
  let over = false;
  let no = 0;
  const emit = (): Line => {
    no++;
    let data: Buffer | null = null;
    if (!over) {
      data = parts.length === 1 ? parts[0] : Buffer.concat(parts, len);
      if (data.length > 0 && data[data.length - 1] === 0x0d) data = data.subarray(0, data.length - 1);
    }
    const line = { no, data, bytes: len };
    parts = [];
    len = 0;
    over = false;
    return line;
  };
  for await (const chunk of src) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      const piece = chunk.subarray(start, end);
      if (!over) {
        if (len + piece.length > cap) {
          over = true;
          parts = [];
        } else if (piece.length > 0) {
          // copy only when keeping a slice of a chunk beyond this iteration
          parts.push(nl === -1 ? Buffer.from(piece) : piece);
        }
      }
      len += piece.length;
      if (nl === -1) break;
      yield emit();
      start = nl + 1;
    }
  }
  if (len > 0 || over) yield emit();
}
