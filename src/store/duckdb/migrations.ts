// DuckDB schema, versioned and forward-only: each migration runs once, in order, inside one
// transaction at open; schema_version records what ran. A file written by a newer Vigil (a version
// greater than the last one here) is refused rather than guessed at.
import type { DuckDBConnection } from '@duckdb/node-api';
import { VigilError } from '../../model/errors.js';

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'initial tables',
    statements: [
      // raw: the whole measurement as JSON text. DuckDB compresses string columns itself
      // (dictionary/FSST at checkpoint), and text keeps the JSON queryable with json_extract.
      `CREATE TABLE measurements (
         uid VARCHAR PRIMARY KEY,
         t BIGINT NOT NULL,
         cc VARCHAR NOT NULL,
         asn BIGINT NOT NULL,
         network VARCHAR NOT NULL,
         probe_id VARCHAR NOT NULL,
         test_name VARCHAR NOT NULL,
         input VARCHAR,
         raw VARCHAR NOT NULL)`,
      `CREATE TABLE observations (
         uid VARCHAR NOT NULL,
         t BIGINT NOT NULL,
         cc VARCHAR NOT NULL,
         asn BIGINT NOT NULL,
         network VARCHAR NOT NULL,
         probe_id VARCHAR NOT NULL,
         test_name VARCHAR NOT NULL,
         target VARCHAR NOT NULL,
         status VARCHAR NOT NULL,
         layer VARCHAR,
         failure VARCHAR,
         value DOUBLE,
         UNIQUE (uid, target))`,
      // incidents: the whole incident as JSON plus the columns queries filter on.
      `CREATE TABLE incidents (
         id VARCHAR PRIMARY KEY,
         kind VARCHAR NOT NULL,
         cc VARCHAR NOT NULL,
         status VARCHAR NOT NULL,
         start_t BIGINT NOT NULL,
         end_t BIGINT,
         asns VARCHAR NOT NULL,
         doc VARCHAR NOT NULL)`,
      `CREATE TABLE bgp_visibility (
         t BIGINT NOT NULL,
         asn BIGINT NOT NULL,
         cc VARCHAR NOT NULL,
         slash24 BIGINT NOT NULL,
         peers BIGINT NOT NULL,
         PRIMARY KEY (t, asn))`,
      `CREATE TABLE state (k VARCHAR PRIMARY KEY, v VARCHAR NOT NULL)`,
    ],
  },
  {
    version: 2,
    name: 'incident start index',
    statements: [
      // DuckDB prunes row groups by min/max (zone maps) on its own, so the big tables get no
      // secondary index (an ART index costs ingest time and memory per row); incidents are few
      // and rewritten often, and are listed by start.
      `CREATE INDEX IF NOT EXISTS incidents_start ON incidents (start_t)`,
    ],
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export async function currentVersion(conn: DuckDBConnection): Promise<number> {
  const exists = await conn.runAndReadAll(
    `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'main' AND table_name = 'schema_version'`,
  );
  if (Number(exists.getRowObjectsJS()[0].n) === 0) return 0;
  const r = await conn.runAndReadAll('SELECT max(version) AS v FROM schema_version');
  const v = r.getRowObjectsJS()[0].v;
  return v === null || v === undefined ? 0 : Number(v);
}

/** Runs every migration above the file's version, up to `upTo` (tests stop early to simulate old files). */
export async function migrate(conn: DuckDBConnection, upTo: number = LATEST_VERSION): Promise<number> {
  await conn.run('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)');
  let v = await currentVersion(conn);
  if (v > LATEST_VERSION) {
    throw new VigilError('STORE', `database schema version ${v} is newer than this Vigil understands (${LATEST_VERSION}); upgrade Vigil`);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= v || m.version > upTo) continue;
    await conn.run('BEGIN TRANSACTION');
    try {
      for (const s of m.statements) await conn.run(s);
      await conn.run('INSERT INTO schema_version VALUES (?, ?, now())', [m.version, m.name]);
      await conn.run('COMMIT');
    } catch (e) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw new VigilError('STORE', `migration ${m.version} (${m.name}) failed: ${(e as Error).message}`, { cause: e });
    }
    v = m.version;
  }
  return v;
}
