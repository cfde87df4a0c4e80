// Client side of the control helper protocol (ts-017's "th" control request): the probe sends
// the URL, its request headers and the endpoints it resolved; the helper answers what it saw.
// Any failure to get a well-formed answer becomes control_failure: the measurement goes on.
import { WebConnectivityControl } from '../model/measurement.js';
import { unknownFailure, type Failure } from '../model/failures.js';
import { validate } from '../model/validate.js';
import { httpRequest } from '../netx/http.js';
import type { NetEnv } from '../netx/env.js';
import { Trace } from '../netx/trace.js';

export interface ControlRequest {
  http_request: string;
  http_request_headers: Record<string, string[]>;
  tcp_connect: string[];
}

export interface ControlResult {
  control: WebConnectivityControl | null;
  failure: Failure | null;
}

export async function askControl(helperUrl: string, req: ControlRequest, env: NetEnv): Promise<ControlResult> {
  // The helper performs a whole measurement before answering: give it all the step deadlines.
  const t = env.timeouts;
  const cenv: NetEnv = { ...env, ports: undefined, timeouts: { ...t, http: t.dns + t.connect + t.tls + t.http + 1000 }, caps: { body: 1 << 20, headers: env.caps.headers } };
  const trace = new Trace();
  try {
    const r = await httpRequest(helperUrl, cenv, trace, {
      method: 'POST',
      body: JSON.stringify(req),
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'User-Agent': 'vigil-probe' },
      maxRedirects: 0,
    });
    if (r.failure || !r.response) return { control: null, failure: r.failure ?? 'eof_error' };
    if (r.response.status !== 200) return { control: null, failure: unknownFailure(`control_http_status_${r.response.status}`) };
    let v: unknown;
    try {
      v = JSON.parse(r.response.body.toString('utf8'));
    } catch {
      return { control: null, failure: unknownFailure('control_invalid_json') };
    }
    const ok = validate(WebConnectivityControl, v);
    if (!ok.ok) return { control: null, failure: unknownFailure(`control_invalid_response ${ok.error}`) };
    return { control: ok.value, failure: null };
  } finally {
    trace.close();
  }
}
