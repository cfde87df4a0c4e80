// Opening a store on a ClickHouse cluster without ZooKeeper/Keeper: distributed DDL (ON CLUSTER)
// needs Keeper, so here every node's `*_local` and `Distributed` tables are created by opening the
// store against each node once; then the store is opened against the node it will use.
import type { Store } from '../store.js';
import { openClickHouseStore, type ClickHouseStore } from './clickhouse-store.js';

/**
 * Creates the schema on every node of `urls` (all of one cluster), then returns a store on
 * `urls[useIndex]`. With Keeper, `?on_cluster=1` on one URL does the same in one step.
 */
export async function openClusterStore(urls: string[], cluster: string, useIndex = 0): Promise<Store & ClickHouseStore> {
  for (const [i, u] of urls.entries()) {
    if (i === useIndex) continue;
    const s = await openClickHouseStore(u, { cluster });
    await s.close();
  }
  return openClickHouseStore(urls[useIndex], { cluster });
}
