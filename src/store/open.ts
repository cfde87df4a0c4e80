// Opens a store from `--db`: a file path (DuckDB) or clickhouse://HOST:PORT/DATABASE (DESIGN.md §6).
// VIGIL_DB is the default; else ./vigil.duckdb.
import type { Store } from './store.js';

export function resolveDb(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? env.VIGIL_DB ?? './vigil.duckdb';
}

export async function openStore(db: string, opts: { readOnly?: boolean } = {}): Promise<Store> {
  if (/^clickhouse:\/\//i.test(db)) {
    const { openClickHouseStore } = await import('./clickhouse/clickhouse-store.js');
    return openClickHouseStore(db);
  }
  const { openDuckDbStore } = await import('./duckdb/duckdb-store.js');
  return openDuckDbStore(db, opts);
}
