// Helpers for the reliability tests: `vigil serve` / `vigil probe` as real child processes (from
// the sources), HTTP with a chosen loopback source address, measurements to send.
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest, Agent } from 'node:http';
import { once } from 'node:events';
import { repoPath } from '../../src/model/paths.js';
import { envelope } from '../../src/store/shared-suite.js';
import { ooniTime } from '../../src/model/time.js';
import { measurementUid } from '../../src/model/uid.js';

export const ENTRY = repoPath('test', 'reliability', 'cli-entry.ts');

export interface Child {
  proc: ChildProcess;
  url: string;
  out: () => string;
  err: () => string;
  /** SIGKILL and wait */
  kill9(): Promise<void>;
  /** SIGTERM and wait; the exit code */
  stop(): Promise<number | null>;
}

/** Starts `vigil serve --port 0 …` and resolves when it prints its URL. */
export async function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  proc.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 30_000);
    const look = () => {
      const m = /listening on (https?:\/\/[^\s]+\/)/.exec(out);
      if (m) { clearTimeout(t); resolve(m[1]); }
    };
    proc.stdout!.on('data', look);
    proc.on('exit', (code) => { clearTimeout(t); reject(new Error(`serve exited ${code}: ${err}`)); });
  });
  return child(proc, url, () => out, () => err);
}

export function child(proc: ChildProcess, url: string, out: () => string, err: () => string): Child {
  return {
    proc, url, out, err,
    async kill9() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const e = once(proc, 'exit');
      proc.kill('SIGKILL');
      await e;
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      const e = once(proc, 'exit');
      proc.kill('SIGTERM');
      const [code] = await e;
      return code as number | null;
    },
  };
}

export interface Res { status: number; headers: Record<string, string | string[] | undefined>; text: string; json: any }

/** One HTTP request from a chosen source address. Rejects on a network error. */
export function http(url: string, method: string, body?: unknown, o: { from?: string; headers?: Record<string, string>; agent?: Agent; timeoutMs?: number } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string | number> = { ...(o.headers ?? {}) };
    if (data !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = Buffer.byteLength(data);
    }
    const req = httpRequest({
      host: u.hostname, port: Number(u.port), path: u.pathname + u.search, method, headers,
      ...(o.from ? { localAddress: o.from } : {}), ...(o.agent ? { agent: o.agent } : {}), timeout: o.timeoutMs ?? 60_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

export const T_BASE = Date.UTC(2024, 0, 1) / 1000;

/** A valid web_connectivity measurement, distinct per (tag, i). */
export function measurement(tag: string, i: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...envelope({ report_id: `${tag}-${i}`, input: `https://twitter.com/${tag}/${i}`, measurement_start_time: ooniTime((T_BASE + (i % 86_000)) * 1000) }),
    ...over,
  } as Record<string, unknown>;
}

export const uidOf = (m: Record<string, unknown>) => measurementUid(m as Parameters<typeof measurementUid>[0]);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
