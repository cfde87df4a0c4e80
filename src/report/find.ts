// Resolves the incident a report is about: an id, or `latest` (most recently started).
import type { Store } from '../store/store.js';
import type { Incident } from '../model/incident.js';
import { VigilError } from '../model/errors.js';

export async function findIncident(store: Store, idOrLatest: string): Promise<Incident> {
  if (idOrLatest === 'latest') {
    const all = await store.incidents({ limit: 1000 });
    if (all.length === 0) throw new VigilError('NOT_FOUND', 'no incidents in the store (run `vigil detect` first)');
    return all.sort((a, b) => b.start.localeCompare(a.start) || a.id.localeCompare(b.id))[0];
  }
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(idOrLatest)) throw new VigilError('USAGE', `not an incident id: "${idOrLatest.slice(0, 80)}"`, { exitCode: 2 });
  const inc = await store.incident(idOrLatest);
  if (!inc) throw new VigilError('NOT_FOUND', `no incident with id ${idOrLatest}`);
  return inc;
}
