// A small HTTP/1.1 response reader over one socket, with a deadline and byte caps: the header
// block may not exceed caps.headers (else VIGIL_HEADERS_TOO_LARGE), the decoded body stops at
// caps.body (body_is_truncated, not a failure). Framing per RFC 9112 §6: no body for HEAD,
// 1xx/204/304; chunked; Content-Length; else read to EOF.
import type { Duplex } from 'node:stream';
import { NetError } from './classify.js';

export interface RawResponse {
  status: number;
  reason: string;
  /** header names as sent, duplicates joined with ", " */
  headers: Record<string, string>;
  body: Buffer;
  truncated: boolean;
  /** set when the body was cut by EOF/timeout/reset after the headers arrived */
  bodyError: NetError | Error | null;
  /** performance.now() at the first and the last byte of the response */
  firstByteAt: number;
  lastByteAt: number;
}

export interface ReadOptions {
  head: boolean;
  maxHeaders: number;
  maxBody: number;
  deadlineMs: number;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

function parseHead(buf: Buffer): { status: number; reason: string; headers: Record<string, string> } {
  const text = buf.toString('latin1');
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0]);
  if (!m) throw new NetError('VIGIL_BAD_RESPONSE', `bad status line: ${lines[0].slice(0, 80)}`);
  const headers: Record<string, string> = {};
  const canon = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const i = line.indexOf(':');
    if (i <= 0) throw new NetError('VIGIL_BAD_RESPONSE', 'bad header line');
    const name = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    const key = canon.get(name.toLowerCase());
    if (key === undefined) {
      canon.set(name.toLowerCase(), name);
      headers[name] = value;
    } else headers[key] = `${headers[key]}, ${value}`;
  }
  return { status: Number(m[1]), reason: m[2] ?? '', headers };
}

export function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const n = name.toLowerCase();
  for (const k of Object.keys(headers)) if (k.toLowerCase() === n) return headers[k];
  return undefined;
}

/** Reads one response from `sock`; rejects only when no complete header block arrived. */
export function readResponse(sock: Duplex, o: ReadOptions): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let head: Buffer = Buffer.alloc(0);
    let res: RawResponse | null = null;
    const body: Buffer[] = [];
    let bodyLen = 0;
    let mode: 'none' | 'length' | 'chunked' | 'eof' = 'none';
    let remaining = 0; // length mode: bytes left; chunked: bytes left in the current chunk
    let cstate: 'size' | 'data' | 'crlf' | 'trailer' = 'size';
    let cbuf: Buffer = Buffer.alloc(0);
    let settled = false;
    let firstByteAt = 0;
    let lastByteAt = 0;

    const cleanup = () => {
      clearTimeout(timer);
      sock.removeListener('data', onData);
      sock.removeListener('end', onEnd);
      sock.removeListener('error', onError);
      sock.removeListener('close', onEnd);
    };
    const done = (err: Error | null, truncated = false) => {
      if (settled) return;
      settled = true;
      cleanup();
      if (!res) {
        reject(err ?? new NetError('VIGIL_EOF'));
        return;
      }
      res.body = Buffer.concat(body);
      res.truncated = truncated;
      res.bodyError = err;
      res.lastByteAt = lastByteAt;
      resolve(res);
    };
    const push = (b: Buffer): boolean => {
      const room = o.maxBody - bodyLen;
      if (b.length >= room) {
        if (room > 0) body.push(b.subarray(0, room));
        bodyLen = o.maxBody;
        // at the cap: stop reading; the connection is not reusable
        done(null, b.length > room || (mode === 'length' ? remaining > 0 : true));
        return false;
      }
      body.push(b);
      bodyLen += b.length;
      return true;
    };
    const feedChunked = (b: Buffer) => {
      cbuf = cbuf.length ? Buffer.concat([cbuf, b]) : b;
      for (;;) {
        if (cstate === 'size') {
          const i = cbuf.indexOf('\r\n');
          if (i < 0) {
            if (cbuf.length > 1024) return done(new NetError('VIGIL_BAD_RESPONSE', 'chunk size line too long'));
            return;
          }
          const size = parseInt(cbuf.subarray(0, i).toString('latin1').split(';')[0].trim(), 16);
          if (!Number.isFinite(size) || size < 0) return done(new NetError('VIGIL_BAD_RESPONSE', 'bad chunk size'));
          cbuf = cbuf.subarray(i + 2);
          if (size === 0) {
            cstate = 'trailer';
            continue;
          }
          remaining = size;
          cstate = 'data';
        } else if (cstate === 'data') {
          if (cbuf.length === 0) return;
          const take = cbuf.subarray(0, Math.min(remaining, cbuf.length));
          cbuf = cbuf.subarray(take.length);
          remaining -= take.length;
          if (!push(take)) return;
          if (remaining === 0) cstate = 'crlf';
        } else if (cstate === 'crlf') {
          if (cbuf.length < 2) return;
          cbuf = cbuf.subarray(2);
          cstate = 'size';
        } else {
          // trailers end with an empty line; we do not keep them
          const i = cbuf.indexOf('\r\n');
          if (i < 0) {
            if (cbuf.length > o.maxHeaders) return done(new NetError('VIGIL_HEADERS_TOO_LARGE'));
            return;
          }
          if (i === 0) return done(null);
          cbuf = cbuf.subarray(i + 2);
        }
      }
    };
    const feedBody = (b: Buffer) => {
      if (b.length === 0) return;
      if (mode === 'chunked') return feedChunked(b);
      if (mode === 'length') {
        const take = b.subarray(0, remaining);
        remaining -= take.length;
        if (!push(take)) return;
        if (remaining === 0) done(null);
        return;
      }
      push(b);
    };
    const onData = (chunk: Buffer) => {
      if (settled) return;
      lastByteAt = performance.now();
      if (!firstByteAt) firstByteAt = lastByteAt;
      if (res) return feedBody(chunk);
      head = head.length ? Buffer.concat([head, chunk]) : chunk;
      const end = head.indexOf(CRLFCRLF);
      if (end < 0) {
        if (head.length > o.maxHeaders) done(new NetError('VIGIL_HEADERS_TOO_LARGE'));
        return;
      }
      if (end + 4 > o.maxHeaders) return done(new NetError('VIGIL_HEADERS_TOO_LARGE'));
      let parsed;
      try {
        parsed = parseHead(head.subarray(0, end));
      } catch (e) {
        return done(e as Error);
      }
      if (parsed.status >= 100 && parsed.status < 200) {
        // interim response (100 Continue): skip it and read the real one
        const rest = head.subarray(end + 4);
        head = Buffer.alloc(0);
        if (rest.length) onData(rest);
        return;
      }
      res = { ...parsed, body: Buffer.alloc(0), truncated: false, bodyError: null, firstByteAt, lastByteAt };
      const rest = head.subarray(end + 4);
      const te = headerValue(parsed.headers, 'transfer-encoding');
      const cl = headerValue(parsed.headers, 'content-length');
      if (o.head || parsed.status === 204 || parsed.status === 304) return done(null);
      if (te && /chunked/i.test(te)) mode = 'chunked';
      else if (cl !== undefined && /^\d+$/.test(cl.trim())) {
        mode = 'length';
        remaining = Number(cl.trim());
        if (remaining === 0) return done(null);
      } else mode = 'eof';
      feedBody(rest);
    };
    const onEnd = () => {
      if (settled) return;
      if (!res) return done(new NetError('VIGIL_EOF'));
      if (mode === 'eof') return done(null);
      done(new NetError('VIGIL_EOF', 'connection closed mid-body'), true);
    };
    const onError = (e: Error) => done(e, Boolean(res));
    const timer = setTimeout(() => done(new NetError('VIGIL_TIMEOUT'), Boolean(res)), o.deadlineMs);
    sock.on('data', onData);
    sock.once('end', onEnd);
    sock.once('close', onEnd);
    sock.once('error', onError);
  });
}
