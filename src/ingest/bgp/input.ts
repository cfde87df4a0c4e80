// Opens an MRT file as a stream of decompressed bytes. The format is told by magic bytes, not the
// name: gzip (1f 8b) through node:zlib, bzip2 ("BZh") through the system `bzip2 -dc` when it is on
// PATH, else the pure-JS `seek-bzip` decoder driven block by block (≤ 900 kB per block, so memory
// stays bounded there too), else plain. Decoder failures surface as a thrown error at the point of
// failure, after every byte decoded before it, so a truncated archive still yields its records.
import { spawn } from 'node:child_process';
import { createReadStream, accessSync, constants as fsc, openSync, readSync, closeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { createRequire } from 'node:module';
import { createGunzip, constants as zc } from 'node:zlib';
import { VigilError } from '../../model/errors.js';

export type Bzip2Mode = 'auto' | 'system' | 'js';
export type Compression = 'none' | 'gzip' | 'bzip2';

export interface MrtInput {
  compression: Compression;
  /** what decodes it: 'zlib', 'bzip2 -dc', 'seek-bzip' or 'none' */
  decoder: string;
  chunks: AsyncIterable<Uint8Array>;
}

/** Path of an executable on PATH, or null. */
export function which(cmd: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    try { accessSync(p, fsc.X_OK); return p; } catch { /* next */ }
  }
  return null;
}

async function sniff(path: string): Promise<Compression> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new VigilError(code === 'ENOENT' ? 'NOT_FOUND' : 'IO', `${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  try {
    const b = Buffer.alloc(3);
    const { bytesRead } = await fh.read(b, 0, 3, 0);
    if (bytesRead >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
    if (bytesRead >= 3 && b[0] === 0x42 && b[1] === 0x5a && b[2] === 0x68) return 'bzip2';
    return 'none';
  } finally {
    await fh.close();
  }
}

export async function openMrtInput(path: string, opts: { bzip2?: Bzip2Mode; env?: NodeJS.ProcessEnv } = {}): Promise<MrtInput> {
  const compression = await sniff(path);
  if (compression === 'gzip') {
    // Z_SYNC_FLUSH: a truncated gzip yields what it has instead of failing before the end.
    const gz = createGunzip({ finishFlush: zc.Z_SYNC_FLUSH, chunkSize: 256 * 1024 });
    const file = createReadStream(path, { highWaterMark: 256 * 1024 });
    file.on('error', (e) => gz.destroy(e));
    file.pipe(gz);
    return { compression, decoder: 'zlib', chunks: gz };
  }
  if (compression === 'bzip2') {
    const mode = opts.bzip2 ?? 'auto';
    const sys = mode === 'js' ? null : which('bzip2', opts.env);
    if (sys) return { compression, decoder: 'bzip2 -dc', chunks: systemBzip2(sys, path) };
    if (mode === 'system') throw new VigilError('CONFIG', 'bzip2 is not on PATH (needed for --bzip2 system)');
    return { compression, decoder: 'seek-bzip', chunks: jsBzip2(path) };
  }
  return { compression, decoder: 'none', chunks: createReadStream(path, { highWaterMark: 256 * 1024 }) };
}

async function* systemBzip2(bin: string, path: string): AsyncGenerator<Uint8Array> {
  const child = spawn(bin, ['-dc', path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => { if (stderr.length < 2000) stderr += d; });
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => resolve(code));
    child.on('error', (e) => { stderr += e.message; resolve(-1); });
  });
  let done = false;
  try {
    for await (const chunk of child.stdout) yield chunk as Uint8Array;
    const code = await exited;
    done = true;
    if (code !== 0) throw new Error(`bzip2 -dc exited with ${code}: ${stderr.trim().split('\n').pop() ?? ''}`);
  } finally {
    if (!done) child.kill();
  }
}

interface SeekBzip {
  new (input: unknown, output: unknown): { _init_block(): boolean; _read_bunzip(): void; _start_bunzip(i: unknown, o: unknown): void; reader: { read(n: number): number }; streamCRC: number };
}

/** seek-bzip 2.0's decoder loop (Bunzip.decode), yielding after each block instead of at the end. */
async function* jsBzip2(path: string): AsyncGenerator<Uint8Array> {
  const Bunzip = createRequire(import.meta.url)('seek-bzip') as SeekBzip;
  const fd = openSync(path, 'r');
  try {
    const inBuf = Buffer.alloc(256 * 1024);
    let inLen = 0;
    let inPos = 0;
    let eof = false;
    const input = {
      readByte(): number {
        if (inPos >= inLen) {
          if (eof) return -1;
          inLen = readSync(fd, inBuf, 0, inBuf.length, null);
          inPos = 0;
          if (inLen === 0) { eof = true; return -1; }
        }
        return inBuf[inPos++];
      },
      eof(): boolean {
        if (inPos < inLen) return false;
        if (eof) return true;
        inLen = readSync(fd, inBuf, 0, inBuf.length, null);
        inPos = 0;
        if (inLen === 0) eof = true;
        return eof;
      },
      read(buffer: Uint8Array, off: number, len: number): number {
        let n = 0;
        while (n < len) {
          const c = this.readByte();
          if (c < 0) return n === 0 ? -1 : n;
          buffer[off + n++] = c;
        }
        return n;
      },
    };
    let out = Buffer.allocUnsafe(1 << 20);
    let outPos = 0;
    const output = {
      writeByte(b: number): void {
        if (outPos >= out.length) {
          const bigger = Buffer.allocUnsafe(out.length * 2);
          out.copy(bigger, 0, 0, outPos);
          out = bigger;
        }
        out[outPos++] = b;
      },
      flush(): void {},
    };
    const take = (): Uint8Array => {
      const chunk = Buffer.from(out.subarray(0, outPos));
      outPos = 0;
      return chunk;
    };
    let bz;
    try {
      bz = new Bunzip(input, output);
    } catch (e) {
      throw new Error(`seek-bzip: ${(e as Error).message}`);
    }
    for (;;) {
      if (input.eof()) break;
      let more: boolean;
      try {
        more = bz._init_block();
        if (more) bz._read_bunzip();
      } catch (e) {
        if (outPos) yield take();
        throw new Error(`seek-bzip: ${(e as Error).message}`);
      }
      if (outPos) yield take();
      if (!more) {
        // end of one bzip2 stream; a multi-stream file (pbzip2) carries on with the next
        try {
          bz.reader.read(32);
          if (input.eof()) break;
          bz._start_bunzip(input, output);
        } catch (e) {
          throw new Error(`seek-bzip: ${(e as Error).message}`);
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}
