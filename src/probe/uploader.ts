// Uploads the outbox to a collector (DESIGN.md §6: POST {collector}/api/v1/measurements with
// {"measurements":[…]}, answer {accepted, duplicates, rejected:[{index,error}]}). A batch is
// deleted from disk only when the answer accounts for every item in it; a network failure or an
// unexpected answer leaves it for the next try (the collector de-duplicates on uid, so a retried
// batch whose answer was lost counts as duplicates, not twice).
import type { Outbox } from './outbox.js';

export interface UploadReport {
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** why the upload stopped early; null when the outbox was drained */
  failure: string | null;
}

export interface UploadOptions {
  batchSize?: number;
  /** per request, ms */
  timeoutMs?: number;
  /** extra request headers */
  headers?: Record<string, string>;
}

export function ingestUrl(collector: string): string {
  const base = collector.replace(/\/+$/, '');
  return /\/api\/v1\/measurements$/.test(base) ? base : `${base}/api/v1/measurements`;
}

type Answer = { accepted: number; duplicates: number; rejected: Array<{ index: number; error: string }> };

function parseAnswer(v: unknown, n: number): Answer | string {
  if (!v || typeof v !== 'object') return 'answer is not a JSON object';
  const o = v as Record<string, unknown>;
  const acc = o.accepted;
  const dup = o.duplicates ?? 0;
  const rej = o.rejected ?? [];
  if (typeof acc !== 'number' || typeof dup !== 'number' || !Array.isArray(rej)) return 'answer lacks accepted/duplicates/rejected';
  for (const r of rej) if (!r || typeof r !== 'object' || typeof (r as { index?: unknown }).index !== 'number') return 'rejected[] entries need an index';
  const rejected = rej as Array<{ index: number; error: string }>;
  if (acc + dup + rejected.length !== n) return `answer accounts for ${acc + dup + rejected.length} of ${n} measurements`;
  return { accepted: acc, duplicates: dup, rejected };
}

/** Uploads everything pending, batch by batch, until the outbox is empty or a try fails. */
export async function uploadOutbox(outbox: Outbox, collector: string, opts: UploadOptions = {}): Promise<UploadReport> {
  const url = ingestUrl(collector);
  let batchSize = Math.max(1, opts.batchSize ?? 100);
  const rep: UploadReport = { sent: 0, accepted: 0, duplicates: 0, rejected: 0, failure: null };
  for (;;) {
    const names = await outbox.list(batchSize);
    if (names.length === 0) return rep;
    const items: Array<{ name: string; m: unknown }> = [];
    for (const n of names) {
      const m = await outbox.read(n);
      if (m !== null) items.push({ name: n, m });
    }
    if (items.length === 0) continue;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(opts.headers ?? {}) },
        body: JSON.stringify({ measurements: items.map((i) => i.m) }),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
    } catch (e) {
      const c = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
      rep.failure = `collector unreachable (${c})`;
      return rep;
    }
    if (res.status === 413 && items.length > 1) {
      // too large for the collector: halve the batch and go on
      await res.body?.cancel();
      batchSize = Math.max(1, Math.floor(items.length / 2));
      continue;
    }
    if (res.status === 413) {
      // one measurement larger than the collector takes: it never will; set it aside, go on
      await res.body?.cancel();
      await outbox.reject(items[0].name, 'collector answered 413: larger than its body limit');
      rep.sent += 1;
      rep.rejected += 1;
      continue;
    }
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {}
    // A 400 whose answer accounts for every item (all rejected, e.g. clock skew or a schema
    // change) is an answer like a 200's: the rejected items are set aside, not retried forever.
    const answered = res.status === 400 ? parseAnswer(body, items.length) : null;
    if (!res.ok && (answered === null || typeof answered === 'string')) {
      rep.failure = `collector answered HTTP ${res.status}`;
      return rep;
    }
    const a = answered ?? parseAnswer(body, items.length);
    if (typeof a === 'string') {
      rep.failure = `unexpected collector answer: ${a}`;
      return rep;
    }
    const rejected = new Map(a.rejected.map((r) => [r.index, String(r.error ?? 'rejected')]));
    for (let i = 0; i < items.length; i++) {
      const why = rejected.get(i);
      if (why !== undefined) await outbox.reject(items[i].name, why);
      else await outbox.ack(items[i].name);
    }
    rep.sent += items.length;
    rep.accepted += a.accepted;
    rep.duplicates += a.duplicates;
    rep.rejected += a.rejected.length;
  }
}

/** Exponential backoff with full jitter: base·2^attempt, capped. */
export function backoffMs(attempt: number, baseMs = 1000, capMs = 300_000, rand = Math.random): number {
  const ceil = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceil / 2 + (rand() * ceil) / 2);
}
