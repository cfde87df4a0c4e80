// A short-lived cache of control answers. Many probes of one country measure the same URLs within
// seconds of each other (every probe runs the same list each round); the control answer for
// (URL, endpoints, forwarded headers) does not depend on which probe asked, so identical requests
// within `ttlMs` share one measurement, and concurrent identical requests are coalesced into one.
// Off (ttl 0) unless the operator asks for it: a cache trades freshness for load.
import type { WebConnectivityControl } from '../model/measurement.js';
import type { ControlQuery } from './control.js';

interface Entry { at: number; value: Promise<WebConnectivityControl> }

export class ControlCache {
  private readonly map = new Map<string, Entry>();
  hits = 0;
  misses = 0;

  constructor(private readonly ttlMs: number, private readonly maxEntries = 10_000, private readonly now: () => number = Date.now) {}

  static key(q: ControlQuery): string {
    const headers = Object.entries(q.http_request_headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    return JSON.stringify([q.http_request, [...q.tcp_connect].sort(), headers]);
  }

  get(q: ControlQuery, measure: () => Promise<WebConnectivityControl>): Promise<WebConnectivityControl> {
    if (this.ttlMs <= 0) return measure();
    const k = ControlCache.key(q);
    const t = this.now();
    const e = this.map.get(k);
    if (e && t - e.at < this.ttlMs) {
      this.hits++;
      return e.value;
    }
    this.misses++;
    const value = measure();
    // a failed control measurement is not cached: the next probe asks again
    value.catch(() => { if (this.map.get(k)?.value === value) this.map.delete(k); });
    this.map.delete(k);
    this.map.set(k, { at: t, value });
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as string);
    return value;
  }
}
