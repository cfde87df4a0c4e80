// Parsing a JSON request body defensively (issue 9 §1), before any validation sees it:
//   1. the bytes must be UTF-8 (a fatal decoder: no U+FFFD substitution that would alter data);
//   2. nesting deeper than MAX_DEPTH is refused by a linear scan, before the (recursive) parse;
//   3. JSON.parse itself never pollutes prototypes (it defines "__proto__" as an own key), but
//      later code that merges objects could, so `forbiddenKey` finds such keys for the caller to
//      reject (per item in a batch, so one hostile item does not cost the good ones).
export const MAX_DEPTH = 64;

export class BodyError extends Error {
  constructor(readonly statusCode: number, readonly reason: string) {
    super(reason);
    this.name = 'BodyError';
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Deepest nesting of arrays/objects in JSON text, ignoring brackets inside strings. */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return max;
}

export function parseJsonBody(buf: Buffer): unknown {
  let text: string;
  try {
    text = decoder.decode(buf);
  } catch {
    throw new BodyError(400, 'body is not valid UTF-8');
  }
  if (text.trim() === '') throw new BodyError(400, 'body is empty: expected JSON');
  if (jsonDepth(text, MAX_DEPTH) > MAX_DEPTH) throw new BodyError(400, `JSON nested deeper than ${MAX_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch (e) {
    // V8's message quotes the input: control bytes in it would break the one-line reason
    throw new BodyError(400, `invalid JSON: ${(e as Error).message.slice(0, 200).replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, '?')}`);
  }
}

/** The JSON-pointer path of the first `__proto__` key or `constructor.prototype`, else null. */
export function forbiddenKey(value: unknown): string | null {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}/${i}`]);
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(v, '__proto__')) return `${path}/__proto__`;
    const ctor = Object.prototype.hasOwnProperty.call(v, 'constructor') ? (v as Record<string, unknown>).constructor : undefined;
    if (ctor !== null && typeof ctor === 'object' && Object.prototype.hasOwnProperty.call(ctor, 'prototype')) return `${path}/constructor/prototype`;
    for (const [k, child] of Object.entries(v)) stack.push([child, `${path}/${k}`]);
  }
  return null;
}
