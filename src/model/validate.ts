// Validation against the model's schemas, compiled once. Returns the first error as one line
// (path and message), which is what APIs and importers report as the rejection reason.
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema, Static } from '@sinclair/typebox';
import { Envelope, TEST_KEYS_SCHEMAS } from './measurement.js';

const cache = new WeakMap<TSchema, TypeCheck<TSchema>>();
function compiled<T extends TSchema>(schema: T): TypeCheck<T> {
  let c = cache.get(schema);
  if (!c) {
    c = TypeCompiler.Compile(schema);
    cache.set(schema, c);
  }
  return c as TypeCheck<T>;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; error: string };

export function validate<T extends TSchema>(schema: T, value: unknown): Validation<Static<T>> {
  const c = compiled(schema);
  if (c.Check(value)) return { ok: true, value: value as Static<T> };
  const first = c.Errors(value).First();
  const where = first?.path ? first.path : '/';
  return { ok: false, error: `${where}: ${first?.message ?? 'invalid'}` };
}

/** Validates the envelope and, for tests Vigil knows, the test_keys. */
export function validateMeasurement(value: unknown): Validation<Envelope> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: `/: expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}` };
  }
  const env = validate(Envelope, value);
  if (!env.ok) return env;
  const keysSchema = (TEST_KEYS_SCHEMAS as Record<string, TSchema>)[env.value.test_name];
  if (keysSchema) {
    const keys = validate(keysSchema, env.value.test_keys);
    if (!keys.ok) return { ok: false, error: `/test_keys${keys.error}` };
  }
  return env;
}
