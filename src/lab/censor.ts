// The censor: per-network policies, keyed by the connection's source address, switched on and
// off by the scenario clock. The loopback servers ask it at each layer (DNS query, accepted TCP
// connection, ClientHello, HTTP request); the netns router compiles the same events into kernel
// rules instead. Lookups are a map read and a short scan, so per-connection work stays light.
import type { Clock } from '../model/time.js';
import { VigilError } from '../model/errors.js';
import { networkOf, networkByName } from './networks.js';
import { targetOfHost, siteOfHost, siteOfAddress, SITES } from './sites.js';
import { TECHNIQUE_LAYER, isTechnique, type Layer, type Technique } from './techniques.js';
import type { Scenario, ScenarioEvent } from './scenarios/types.js';

interface CompiledEvent {
  event: ScenarioEvent;
  start: number;
  end: number;
  layer: Layer;
  all: boolean;
  targets: Set<string>;
}

export interface Decision {
  technique: Technique;
  event: ScenarioEvent;
}

/** Throws a one-line VigilError when a scenario names an unknown network, target or technique. */
export function validateScenario(s: Scenario): void {
  const bad = (m: string) => new VigilError('BAD_INPUT', `scenario ${s.name}: ${m}`);
  const known = new Set(SITES.map((x) => x.target));
  for (const [i, e] of s.events.entries()) {
    if (!isTechnique(e.technique)) throw bad(`event ${i}: unknown technique "${e.technique}"`);
    if (e.network !== '*' && !networkByName(e.network)) throw bad(`event ${i}: unknown network "${e.network}"`);
    const a = Date.parse(e.start);
    const b = Date.parse(e.end);
    if (!Number.isFinite(a) || !Number.isFinite(b) || b <= a) throw bad(`event ${i}: start/end must be times with start < end`);
    for (const t of e.targets) if (t !== '*' && !known.has(t)) throw bad(`event ${i}: unknown target "${t}"`);
  }
}

export class Censor {
  private byNetwork = new Map<string, CompiledEvent[]>();
  private everywhere: CompiledEvent[] = [];

  constructor(scenario: Scenario, readonly clock: Clock) {
    this.setScenario(scenario);
  }

  setScenario(scenario: Scenario): void {
    validateScenario(scenario);
    this.byNetwork.clear();
    this.everywhere = [];
    for (const event of scenario.events) {
      const c: CompiledEvent = {
        event,
        start: Date.parse(event.start),
        end: Date.parse(event.end),
        layer: TECHNIQUE_LAYER[event.technique],
        all: event.targets.includes('*'),
        targets: new Set(event.targets),
      };
      if (event.network === '*') this.everywhere.push(c);
      else {
        const name = networkByName(event.network)!.name;
        const list = this.byNetwork.get(name) ?? [];
        list.push(c);
        this.byNetwork.set(name, list);
      }
    }
  }

  /** The technique active now for a connection from `src` at `layer` towards a host or address. */
  decide(src: string, layer: Layer, to: { host?: string | null; address?: string | null }): Decision | null {
    const net = networkOf(src);
    const local = net ? this.byNetwork.get(net.name) : undefined;
    if (!local && this.everywhere.length === 0) return null;
    const now = this.clock.now();
    let keys: string[] | null = null;
    for (const list of [local, this.everywhere]) {
      if (!list) continue;
      for (const c of list) {
        if (c.layer !== layer || now < c.start || now >= c.end) continue;
        keys ??= targetKeys(to);
        if (c.all || keys.some((k) => c.targets.has(k))) return { technique: c.event.technique, event: c.event };
      }
    }
    return null;
  }
}

/** A host matches its platform id, its bare hostname and its lab site; an address matches its site. */
function targetKeys(to: { host?: string | null; address?: string | null }): string[] {
  const keys: string[] = [];
  if (to.host) {
    keys.push(targetOfHost(to.host));
    const site = siteOfHost(to.host);
    if (site) keys.push(site.target);
  }
  if (to.address) {
    const site = siteOfAddress(to.address);
    if (site) keys.push(site.target);
  }
  return keys;
}
