// Prometheus text exposition (format 0.0.4) for GET /metrics: request counts by route pattern and
// status (the pattern, never the raw URL, so hostile paths cannot grow the label set), ingest
// counters, the store's row counts and the process's memory.
import type { Store } from '../store/store.js';

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class Metrics {
  private readonly requests = new Map<string, number>();
  ingested = 0;
  duplicates = 0;
  rejected = 0;
  ingestRequests = 0;
  private readonly started = Date.now();

  request(method: string, route: string, status: number): void {
    const key = `${method}\u0000${route}\u0000${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  async render(store: Store): Promise<string> {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, lines: string[]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
    };
    metric('vigil_http_requests_total', 'counter', 'HTTP requests by method, route pattern and status.',
      [...this.requests.entries()].sort().map(([k, n]) => {
        const [method, route, status] = k.split('\u0000');
        return `vigil_http_requests_total{method="${esc(method)}",route="${esc(route)}",status="${status}"} ${n}`;
      }));
    metric('vigil_ingest_requests_total', 'counter', 'POST /api/v1/measurements requests that reached ingest.', [`vigil_ingest_requests_total ${this.ingestRequests}`]);
    metric('vigil_measurements_ingested_total', 'counter', 'Measurements accepted and stored.', [`vigil_measurements_ingested_total ${this.ingested}`]);
    metric('vigil_measurements_duplicate_total', 'counter', 'Measurements received again (uid already stored).', [`vigil_measurements_duplicate_total ${this.duplicates}`]);
    metric('vigil_measurements_rejected_total', 'counter', 'Measurements rejected with a reason.', [`vigil_measurements_rejected_total ${this.rejected}`]);
    try {
      const s = await store.stats();
      metric('vigil_store_rows', 'gauge', 'Rows in the store by table.', [
        `vigil_store_rows{table="measurements"} ${s.measurements}`,
        `vigil_store_rows{table="observations"} ${s.observations}`,
        `vigil_store_rows{table="incidents"} ${s.incidents}`,
      ]);
      if (s.maxT !== null) metric('vigil_store_latest_measurement_seconds', 'gauge', 'measurement_start_time of the newest stored measurement.', [`vigil_store_latest_measurement_seconds ${s.maxT}`]);
      metric('vigil_store_up', 'gauge', '1 when the store answered.', ['vigil_store_up 1']);
    } catch {
      metric('vigil_store_up', 'gauge', '1 when the store answered.', ['vigil_store_up 0']);
    }
    const m = process.memoryUsage();
    metric('process_resident_memory_bytes', 'gauge', 'Resident set size.', [`process_resident_memory_bytes ${m.rss}`]);
    metric('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use.', [`nodejs_heap_used_bytes ${m.heapUsed}`]);
    metric('nodejs_external_memory_bytes', 'gauge', 'Memory outside the V8 heap (buffers, native).', [`nodejs_external_memory_bytes ${m.external}`]);
    metric('process_uptime_seconds', 'gauge', 'Seconds since the server started.', [`process_uptime_seconds ${Math.round((Date.now() - this.started) / 1000)}`]);
    return out.join('\n') + '\n';
  }
}
