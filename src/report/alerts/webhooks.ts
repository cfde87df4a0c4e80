// Webhooks on incident open / update / resolve (issue 5 §2): a JSON body signed with
// HMAC-SHA256 (header X-Vigil-Signature: sha256=<hex> over the raw body, plus X-Vigil-Event and
// X-Vigil-Delivery), retries with exponential backoff, and a dead-letter log (JSONL) for
// deliveries that never succeeded. Configured by flag (--webhook URL --webhook-secret S) or a
// JSON file ({"webhooks":[{"url","secret","events"?}]}).
import { createHmac, randomUUID } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import type { Incident } from '../../model/incident.js';
import { VigilError } from '../../model/errors.js';

export type WebhookEvent = 'incident.opened' | 'incident.updated' | 'incident.resolved';

export interface WebhookTarget {
  url: string;
  secret: string;
  events?: WebhookEvent[];
}

export interface WebhookOptions {
  targets: WebhookTarget[];
  deadLetterPath?: string;
  retries?: number;        // attempts after the first (default 5)
  baseDelayMs?: number;    // first backoff (default 500 ms), doubled each time, with jitter
  timeoutMs?: number;      // per attempt (default 10 s)
  sleep?: (ms: number) => Promise<void>;
}

export interface Delivery {
  id: string;
  event: WebhookEvent;
  url: string;
  attempts: number;
  ok: boolean;
  status: number | null;
  error: string | null;
}

export function sign(secret: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
}

export async function loadWebhookConfig(path: string): Promise<WebhookTarget[]> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new VigilError('CONFIG', `webhook config ${path}: ${(e as Error).message}`);
  }
  const list = (data as { webhooks?: unknown })?.webhooks;
  if (!Array.isArray(list)) throw new VigilError('CONFIG', `webhook config ${path}: expected {"webhooks": [{"url", "secret"}]}`);
  return list.map((w, i) => {
    const o = w as Record<string, unknown>;
    if (typeof o?.url !== 'string' || !/^https?:\/\//.test(o.url)) throw new VigilError('CONFIG', `webhook config ${path}: webhooks[${i}].url must be an http(s) URL`);
    if (typeof o.secret !== 'string' || o.secret.length < 8) throw new VigilError('CONFIG', `webhook config ${path}: webhooks[${i}].secret must be a string of 8 or more characters`);
    return { url: o.url, secret: o.secret, events: Array.isArray(o.events) ? (o.events as WebhookEvent[]) : undefined };
  });
}

export class WebhookNotifier {
  private readonly o: Required<Omit<WebhookOptions, 'deadLetterPath'>> & { deadLetterPath?: string };
  constructor(opts: WebhookOptions) {
    this.o = {
      retries: 5, baseDelayMs: 500, timeoutMs: 10_000,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      ...opts,
    };
  }

  /** Sends one event to every target that wants it; never throws (failures go to the dead-letter log). */
  async notify(event: WebhookEvent, incident: Incident): Promise<Delivery[]> {
    const id = randomUUID();
    const body = JSON.stringify({ event, delivery: id, sent_at: new Date().toISOString(), incident });
    const targets = this.o.targets.filter((t) => !t.events || t.events.includes(event));
    return Promise.all(targets.map((t) => this.deliver(t, id, event, body)));
  }

  private async deliver(t: WebhookTarget, id: string, event: WebhookEvent, body: string): Promise<Delivery> {
    let status: number | null = null;
    let error: string | null = null;
    const max = 1 + this.o.retries;
    for (let attempt = 1; attempt <= max; attempt++) {
      try {
        const res = await fetch(t.url, {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'vigil-webhook/1',
            'x-vigil-event': event,
            'x-vigil-delivery': id,
            'x-vigil-signature': sign(t.secret, body),
          },
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return { id, event, url: t.url, attempts: attempt, ok: true, status, error: null };
        error = `HTTP ${res.status}`;
        // 4xx other than 408/429 will not get better by retrying
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
          return this.dead({ id, event, url: t.url, attempts: attempt, ok: false, status, error }, body);
        }
      } catch (e) {
        error = (e as Error).name === 'TimeoutError' ? 'timeout' : ((e as Error & { cause?: { code?: string } }).cause?.code ?? (e as Error).message);
      }
      if (attempt < max) {
        const delay = this.o.baseDelayMs * 2 ** (attempt - 1);
        await this.o.sleep(delay + Math.floor(Math.random() * delay * 0.2));
      }
    }
    return this.dead({ id, event, url: t.url, attempts: max, ok: false, status, error }, body);
  }

  private async dead(d: Delivery, body: string): Promise<Delivery> {
    if (this.o.deadLetterPath) {
      await appendFile(this.o.deadLetterPath, JSON.stringify({ ...d, at: new Date().toISOString(), body: JSON.parse(body) }) + '\n').catch(() => undefined);
    }
    return d;
  }
}

/** Maps a detection run's changes to webhook events. */
export async function notifyChanges(n: WebhookNotifier, changes: { opened: Incident[]; updated: Incident[]; resolved: Incident[] }): Promise<Delivery[]> {
  const out: Delivery[] = [];
  for (const i of changes.opened) out.push(...(await n.notify('incident.opened', i)));
  for (const i of changes.updated) out.push(...(await n.notify('incident.updated', i)));
  for (const i of changes.resolved) out.push(...(await n.notify('incident.resolved', i)));
  return out;
}
