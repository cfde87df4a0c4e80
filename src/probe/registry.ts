// The experiment registry: one entry point for the CLI, the suite runner and the lab.
import type { Measurement } from '../model/measurement.js';
import { UsageError } from '../model/errors.js';
import type { ExperimentContext } from './context.js';
import { webConnectivity } from './experiments/web_connectivity/run.js';
import { whatsapp } from './experiments/whatsapp/run.js';
import { facebookMessenger } from './experiments/facebook_messenger/run.js';
import { telegram } from './experiments/telegram/run.js';
import { signal } from './experiments/signal/run.js';
import { vigilThroughput } from './experiments/vigil_throughput/run.js';

export const EXPERIMENTS = ['web_connectivity', 'whatsapp', 'facebook_messenger', 'telegram', 'signal', 'vigil_throughput'] as const;
export type ExperimentName = (typeof EXPERIMENTS)[number];

export function isExperiment(s: string): s is ExperimentName {
  return (EXPERIMENTS as readonly string[]).includes(s);
}

/**
 * Runs one experiment. `input` is the URL for web_connectivity, the throughput target (platform
 * id or URL) for vigil_throughput, and ignored (null) for the IM tests. Network failures are in
 * the measurement; a missing targets section or a bad input throws a VigilError.
 */
export async function runExperiment(name: string, input: string | null, ctx: ExperimentContext): Promise<Measurement> {
  switch (name) {
    case 'web_connectivity':
      if (!input) throw new UsageError('web_connectivity needs a URL as input');
      return webConnectivity(ctx, input);
    case 'whatsapp':
      return whatsapp(ctx);
    case 'facebook_messenger':
      return facebookMessenger(ctx);
    case 'telegram':
      return telegram(ctx);
    case 'signal':
      return signal(ctx);
    case 'vigil_throughput':
      if (!input) throw new UsageError('vigil_throughput needs a throughput target as input');
      return vigilThroughput(ctx, input);
    default:
      throw new UsageError(`unknown experiment "${name}" (known: ${EXPERIMENTS.join(', ')})`);
  }
}
