// The shared Store suite against a real clickhouse-server (18.16 from Debian), one server for
// the file, a fresh database per store. Skipped with a reason when the server is not installed,
// except in CI, where that fails.
import { before, after, describe } from 'node:test';
import { runStoreSuite } from '../shared-suite.js';
import { openClickHouseStore } from './clickhouse-store.js';
import { startClickHouse, clickHouseSkip, type ClickHouseServer } from './test-server.js';

const skip = clickHouseSkip();

describe('ClickHouse store (single node)', { skip }, () => {
  let server: ClickHouseServer;
  let n = 0;
  before(async () => { server = await startClickHouse(); });
  after(async () => { await server?.stop(); });
  runStoreSuite('clickhouse', () => openClickHouseStore(server.url.replace(/\/[^/]*$/, `/suite_${++n}`)));
});
