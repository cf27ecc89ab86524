// `GET|POST /s/<id>/api/faults`: the instructor's fault injection, over HTTP. The room checks the token and
// the role (view links may only read), brings the clock up to date and commits after the call.
import type { Cluster } from '../../sim/cluster.ts';
import { applyFault, FaultError, FAULTS, faultState } from '../../sim/nodes/faults.ts';

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const MAX_BODY = 16 * 1024;

/**
 * GET answers the fault state and the faults available; POST applies one fault and answers the new state:
 * `{"fault":"node-down","node":"node-2"}`, `{"fault":"kill-container","pod":"default/web"}`,
 * `{"fault":"image-pull-fail","registry":"docker.io"}`, `{"fault":"dns-break"}` (sim/nodes/faults.ts FAULTS).
 */
export async function handleFaults(req: Request, cluster: Cluster): Promise<Response> {
  if (req.method === 'GET') return json({ ...faultState(cluster), available: FAULTS });
  if (req.method !== 'POST') {
    await req.body?.cancel().catch(() => undefined);
    return json({ error: `method ${req.method} not allowed: GET the fault state or POST a fault` }, 405);
  }
  let body: unknown;
  try {
    const text = await req.text();
    if (text.length > MAX_BODY) return json({ error: 'the body is too large' }, 413);
    body = JSON.parse(text);
  } catch {
    return json({ error: 'the body must be JSON, e.g. {"fault":"node-down","node":"node-2"}' }, 400);
  }
  try {
    return json(applyFault(cluster, body as Record<string, unknown>));
  } catch (e) {
    if (e instanceof FaultError) return json({ error: e.message }, 400);
    throw e;
  }
}
