// ClickHouse tables for the Store, in SQL that ClickHouse 18.16 (Debian) and current releases
// both accept: MergeTree engines with PARTITION BY / ORDER BY clauses, no TTL (19.6+), no
// DateTime64, no LowCardinality (19.x), times as Int64 Unix seconds.
//
// Idempotency (DESIGN.md §3, "re-upload is a no-op") is layered:
//  1. a store checks for existing keys before inserting (one write lane per process), so
//     sequential duplicates are counted exactly and never written;
//  2. two collectors inserting the same uid at the same instant may both write it: every data
//     table is a ReplacingMergeTree whose sorting key identifies the row (uid for measurements,
//     (uid, target) for observations — the other key columns cc, t, asn are functions of the
//     measurement), so background merges collapse the copies, and every read uses FINAL (or
//     argMax per id), which collapses them at query time before merges ran;
//  3. in a cluster, every table is sharded by cityHash64(uid) (or of its id), so all copies of a
//     uid land on the same shard, where step 2 applies. Nothing depends on which collector or
//     which ClickHouse node received the row.
import { quoteIdent } from './sql.js';

export interface TableDef {
  name: string;
  columns: string;
  engine: string;          // the MergeTree engine and its clauses
  shardKey: string;        // integer expression for the Distributed engine
}

/** Partition by month of t: retention drops whole months (ALTER TABLE … DROP PARTITION). */
const MONTH = 'toYYYYMM(toDateTime(t))';

export const TABLES: TableDef[] = [
  {
    // Sorted by (cc, t) so a country and time range reads only its own granules.
    name: 'measurements',
    columns: `uid String, t Int64, cc String, asn Int64, network String, probe_id String,
      test_name String, input Nullable(String), raw String`,
    engine: `ReplacingMergeTree PARTITION BY ${MONTH} ORDER BY (cc, t, uid)`,
    shardKey: 'cityHash64(uid)',
  },
  {
    // uid → (cc, t): point lookups and the existence check before insert, by primary key.
    name: 'measurement_uids',
    columns: 'uid String, cc String, t Int64',
    engine: 'ReplacingMergeTree ORDER BY uid',
    shardKey: 'cityHash64(uid)',
  },
  {
    name: 'observations',
    columns: `uid String, t Int64, cc String, asn Int64, network String, probe_id String,
      test_name String, target String, status String, layer Nullable(String),
      failure Nullable(String), value Nullable(Float64)`,
    engine: `ReplacingMergeTree PARTITION BY ${MONTH} ORDER BY (cc, t, asn, target, uid)`,
    shardKey: 'cityHash64(uid)',
  },
  {
    // Versioned rows: the greatest version of an id is current; deleted = 1 is a tombstone.
    name: 'incidents',
    // No Nullable here: argMax over a Nullable column skips NULLs (the -Null combinator), which
    // would resurrect an old end time; has_end says whether end_t means anything.
    columns: `id String, version UInt64, deleted UInt8, kind String, cc String, status String,
      start_t Int64, end_t Int64, has_end UInt8, asns Array(Int64), doc String`,
    engine: 'ReplacingMergeTree(version) ORDER BY id',
    shardKey: 'cityHash64(id)',
  },
  {
    name: 'bgp_visibility',
    columns: 't Int64, asn Int64, cc String, slash24 Int64, peers Int64',
    engine: `ReplacingMergeTree PARTITION BY ${MONTH} ORDER BY (asn, t)`,
    shardKey: 'cityHash64(asn)',
  },
  {
    name: 'state',
    columns: 'k String, v String, version UInt64',
    engine: 'ReplacingMergeTree(version) ORDER BY k',
    shardKey: 'cityHash64(k)',
  },
];

export interface Layout {
  db: string;
  /** cluster name from remote_servers when tables are Distributed over `<name>_local` */
  cluster?: string;
  /** add ON CLUSTER to DDL (needs ZooKeeper/Keeper for distributed DDL) */
  onCluster?: boolean;
}

/** The table queries and inserts use: the Distributed one in a cluster, else the table itself. */
export function tableName(l: Layout, name: string): string {
  return `${quoteIdent(l.db)}.${quoteIdent(name)}`;
}

/** The table holding this node's own rows (for co-located subqueries inside distributed queries). */
export function localName(l: Layout, name: string): string {
  return `${quoteIdent(l.db)}.${quoteIdent(l.cluster ? `${name}_local` : name)}`;
}

/** DDL to create everything, idempotently (IF NOT EXISTS), in order. */
export function ddl(l: Layout): string[] {
  const on = l.cluster && l.onCluster ? ` ON CLUSTER ${quoteIdent(l.cluster)}` : '';
  const out = [`CREATE DATABASE IF NOT EXISTS ${quoteIdent(l.db)}${on}`];
  for (const t of TABLES) {
    const cols = t.columns.replace(/\s+/g, ' ');
    out.push(`CREATE TABLE IF NOT EXISTS ${localName(l, t.name)}${on} (${cols}) ENGINE = ${t.engine}`);
    if (l.cluster) {
      out.push(`CREATE TABLE IF NOT EXISTS ${tableName(l, t.name)}${on} AS ${localName(l, t.name)} ` +
        `ENGINE = Distributed(${quoteIdent(l.cluster)}, ${quoteIdent(l.db)}, ${quoteIdent(`${t.name}_local`)}, ${t.shardKey})`);
    }
  }
  return out;
}

/** Schema version written to state; a database from a newer Vigil is refused. */
export const SCHEMA_VERSION = 1;
