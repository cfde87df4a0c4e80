// Scoring detectors against a scenario's ground truth (docs/evaluation.md): event precision and
// recall, start and end error, detection delay in a streaming replay, false alarms per day.
import type { Incident } from '../../model/incident.js';
import type { SeriesRow } from '../../store/store.js';
import { binObservations, IncrementalBinner } from '../series.js';
import { median } from '../stats.js';
import type { Scenario } from './generate.js';
import type { Detector } from './baselines.js';

const sec = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const endOf = (i: Incident, now: number) => (i.end === null ? now : sec(i.end));

export interface ScoreOptions {
  /** events shorter than this are neither required (recall) nor false alarms (default 1800 s) */
  minDuration?: number;
  /** replay the stream to measure detection delay (default true) */
  replay?: boolean;
  /** replay step (default 120 s) and how long after onset to wait at most (default 3 h) */
  stepSeconds?: number;
  maxDelaySeconds?: number;
  binSeconds?: number;
}

export interface EventResult {
  truth: Incident;
  matched: Incident | null;
  startError: number | null;   // seconds, absolute
  endError: number | null;
  delay: number | null;        // seconds after onset when the first matching alert fired
}

export interface ScenarioScore {
  events: EventResult[];
  /** detections counted for precision (matching a scored event or nothing) */
  detections: number;
  truePositives: number;
  falseAlarms: Incident[];
  days: number;
}

/** Does a detected incident describe this true event? Same kind and country, a shared network,
 *  a shared target (outages have none), overlapping in time. */
export function matches(truth: Incident, found: Incident, now: number): boolean {
  if (truth.kind !== found.kind || truth.cc !== found.cc) return false;
  if (!truth.asns.some((a) => found.asns.includes(a))) return false;
  if (truth.targets.length && found.targets.length && !truth.targets.some((t) => found.targets.includes(t))) return false;
  return Math.min(endOf(truth, now), endOf(found, now)) > Math.max(sec(truth.start), sec(found.start));
}

function overlapOf(a: Incident, b: Incident, now: number): number {
  return Math.min(endOf(a, now), endOf(b, now)) - Math.max(sec(a.start), sec(b.start));
}

/** Matches detections to truth and computes errors (no delay). */
export function scoreIncidents(truth: Incident[], found: Incident[], now: number, days: number, minDuration = 1800): ScenarioScore {
  const events: EventResult[] = truth.map((t) => {
    const cands = found.filter((f) => matches(t, f, now)).sort((a, b) => overlapOf(t, b, now) - overlapOf(t, a, now));
    const m = cands[0] ?? null;
    return {
      truth: t, matched: m, delay: null,
      startError: m ? Math.abs(sec(m.start) - sec(t.start)) : null,
      endError: m && m.end !== null && t.end !== null ? Math.abs(sec(m.end) - sec(t.end)) : null,
    };
  });
  const long = (t: Incident) => endOf(t, now) - sec(t.start) >= minDuration;
  let detections = 0, tp = 0;
  const falseAlarms: Incident[] = [];
  for (const f of found) {
    const hit = truth.filter((t) => matches(t, f, now));
    if (hit.length === 0) {
      detections++;
      falseAlarms.push(f);
    } else if (hit.some(long)) {
      detections++;
      tp++;
    }
  }
  return { events, detections, truePositives: tp, falseAlarms, days };
}

/**
 * Streaming replay: observations join the binner when they arrive (late uploads arrive late);
 * after each step the detector runs with `now` = the step's time, over the affected networks and
 * a day of history; the first step whose output matches the event is the alert.
 */
export function replayDelays(sc: Scenario, detector: Detector, truth: Incident[], opts: ScoreOptions = {}): Array<number | null> {
  const bin = opts.binSeconds ?? 300;
  const step = opts.stepSeconds ?? 120;
  const maxDelay = opts.maxDelaySeconds ?? 3 * 3600;
  const order = sc.observations.map((_, i) => i).sort((a, b) => sc.arrival[a] - sc.arrival[b]);
  const plan = truth.map((t, k) => ({ k, start: sec(t.start) })).sort((a, b) => a.start - b.start);
  const out: Array<number | null> = truth.map(() => null);
  const binner = new IncrementalBinner(bin);
  let next = 0;
  for (const p of plan) {
    const t = truth[p.k];
    for (let now = p.start + step; now <= p.start + maxDelay; now += step) {
      while (next < order.length && sc.arrival[order[next]] <= now) binner.add(sc.observations[order[next++]]);
      const rows = binner.rows(now - 86400, now, t.asns);
      const found = detector(rows, now);
      if (found.some((f) => matches(t, f, now))) {
        out[p.k] = now - p.start;
        break;
      }
    }
  }
  return out;
}

export interface Summary {
  detector: string;
  events: number;
  recall: number;
  precision: number;
  falseAlarmsPerDay: number;
  startErrorMedianMin: number | null;
  endErrorMedianMin: number | null;
  delayMedianMin: number | null;
  delayMaxMin: number | null;
  missedInReplay: number;
}

/** Scores one detector over several scenarios and summarizes (medians over all scored events). */
export function scoreDetector(name: string, detector: Detector, scenarios: Scenario[], opts: ScoreOptions = {}): Summary {
  const minDuration = opts.minDuration ?? 1800;
  let events = 0, found = 0, detections = 0, tp = 0, fa = 0, days = 0, missed = 0;
  const se: number[] = [], ee: number[] = [], dl: number[] = [];
  for (const sc of scenarios) {
    const rows: SeriesRow[] = binObservations(sc.observations, opts.binSeconds ?? 300);
    const inc = detector(rows, sc.end);
    const s = scoreIncidents(sc.truth, inc, sc.end, (sc.end - sc.start) / 86400, minDuration);
    const scored = s.events.filter((e) => sec(e.truth.end ?? '') - sec(e.truth.start) >= minDuration);
    events += scored.length;
    found += scored.filter((e) => e.matched).length;
    detections += s.detections;
    tp += s.truePositives;
    fa += s.falseAlarms.length;
    days += s.days;
    for (const e of scored) {
      if (e.startError !== null) se.push(e.startError);
      if (e.endError !== null) ee.push(e.endError);
    }
    if (opts.replay !== false && scored.length) {
      const delays = replayDelays(sc, detector, scored.map((e) => e.truth), opts);
      for (const d of delays) {
        if (d === null) missed++;
        else dl.push(d);
      }
    }
  }
  const m = (xs: number[]) => (xs.length ? Math.round((median(xs) / 60) * 10) / 10 : null);
  return {
    detector: name, events,
    recall: events ? found / events : 1,
    precision: detections ? tp / detections : 1,
    falseAlarmsPerDay: days ? fa / days : 0,
    startErrorMedianMin: m(se), endErrorMedianMin: m(ee), delayMedianMin: m(dl),
    delayMaxMin: dl.length ? Math.round((Math.max(...dl) / 60) * 10) / 10 : null,
    missedInReplay: missed,
  };
}

export function formatTable(rows: Summary[]): string {
  const f = (x: number | null, d = 1) => (x === null ? '—' : x.toFixed(d));
  const lines = [
    '| detector | events | recall | precision | false alarms/day | start err (median, min) | end err (median, min) | delay (median, min) | delay (max, min) | not alerted in replay |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.detector} | ${r.events} | ${f(r.recall, 3)} | ${f(r.precision, 3)} | ${f(r.falseAlarmsPerDay, 2)} | ${f(r.startErrorMedianMin)} | ${f(r.endErrorMedianMin)} | ${f(r.delayMedianMin)} | ${f(r.delayMaxMin)} | ${r.missedInReplay} |`);
  }
  return lines.join('\n');
}
