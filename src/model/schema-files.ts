// The JSON Schema files committed under schemas/, generated from the TypeBox model.
import { Envelope, TEST_KEYS_SCHEMAS } from './measurement.js';
import { Observation } from './observation.js';
import { Incident } from './incident.js';
import type { TSchema } from '@sinclair/typebox';

function doc(id: string, title: string, schema: TSchema): string {
  const out = { $schema: 'http://json-schema.org/draft-07/schema#', $id: `https://vigil.invalid/schemas/${id}`, title, ...JSON.parse(JSON.stringify(schema)) };
  return JSON.stringify(out, null, 2) + '\n';
}

export function schemaFiles(): Record<string, string> {
  const files: Record<string, string> = {
    'measurement.schema.json': doc('measurement.schema.json', 'OONI df-000 measurement envelope (Vigil)', Envelope),
    'observation.schema.json': doc('observation.schema.json', 'Vigil observation', Observation),
    'incident.schema.json': doc('incident.schema.json', 'Vigil incident', Incident),
  };
  for (const [name, s] of Object.entries(TEST_KEYS_SCHEMAS)) {
    files[`test_keys.${name}.schema.json`] = doc(`test_keys.${name}.schema.json`, `test_keys of ${name}`, s);
  }
  return files;
}
