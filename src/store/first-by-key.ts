// Within one insert batch the first row of a key wins (the Store contract, src/store/store.ts):
// one helper for every engine and table.
export function firstByKey<T>(rows: readonly T[], key: (r: T) => string): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const r of rows) {
    const k = key(r);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(r);
  }
  return out;
}
