// Context events for reports (`--events FILE`): JSON ([{time,label}] or {"events":[…]}) or CSV
// with a header `time,label`. Times are ISO 8601 / "YYYY-MM-DD HH:MM:SS" in UTC.
import { VigilError } from '../model/errors.js';

export interface ContextEvent {
  t: number; // Unix seconds
  label: string;
}

function toEvent(time: unknown, label: unknown, where: string): ContextEvent {
  if (typeof time !== 'string' && typeof time !== 'number') throw new VigilError('BAD_INPUT', `${where}: "time" must be a string or number`);
  if (typeof label !== 'string' || label.trim() === '') throw new VigilError('BAD_INPUT', `${where}: "label" must be a non-empty string`);
  const s = String(time).trim();
  const ms = typeof time === 'number' ? time * 1000 : Date.parse(/Z|[+-]\d\d:?\d\d$/.test(s) ? s.replace(' ', 'T') : `${s.replace(' ', 'T')}Z`);
  if (!Number.isFinite(ms)) throw new VigilError('BAD_INPUT', `${where}: not a time: "${s}"`);
  return { t: Math.floor(ms / 1000), label: label.trim().slice(0, 200) };
}

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out;
}

export function parseEvents(text: string, name = 'events'): ContextEvent[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let data: unknown;
    try {
      data = JSON.parse(trimmed);
    } catch (e) {
      throw new VigilError('BAD_INPUT', `${name}: invalid JSON: ${(e as Error).message}`);
    }
    const list = Array.isArray(data) ? data : (data as { events?: unknown }).events;
    if (!Array.isArray(list)) throw new VigilError('BAD_INPUT', `${name}: expected an array of {time, label} or {"events": [...]}`);
    return list.map((e, i) => {
      if (e === null || typeof e !== 'object') throw new VigilError('BAD_INPUT', `${name}[${i}]: expected an object`);
      const o = e as Record<string, unknown>;
      return toEvent(o.time ?? o.t ?? o.start, o.label ?? o.title, `${name}[${i}]`);
    }).sort((a, b) => a.t - b.t);
  }
  const lines = trimmed.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = splitCsvLine(lines[0]).map((h) => h.trim().toLowerCase());
  const ti = header.indexOf('time');
  const li = header.indexOf('label');
  if (ti < 0 || li < 0) throw new VigilError('BAD_INPUT', `${name}: CSV needs a header line with "time" and "label"`);
  return lines.slice(1).map((l, i) => {
    const cells = splitCsvLine(l);
    return toEvent(cells[ti], cells[li], `${name}:${i + 2}`);
  }).sort((a, b) => a.t - b.t);
}
