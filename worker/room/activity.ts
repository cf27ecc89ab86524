import type { ResourceRoute } from '../k8s/paths.ts';
import type { Role } from '../auth.ts';

/** One line of the activity feed: "ana scaled deployment/web to 5". */
export interface ActivityEntry {
  /** wall ms */
  at: number;
  /** virtual time (ISO) */
  simTime: string;
  who: string;
  role: Role;
  verb: string;
  kind: string;
  namespace?: string;
  name?: string;
  text: string;
}

/** Entries the room keeps (in its state and in the cluster doc). */
export const ACTIVITY_KEEP = 50;

/** A display name from a header (or awareness): printable, at most 40 characters; undefined when unusable. */
export function displayName(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  let s = raw;
  try {
    s = decodeURIComponent(raw);
  } catch {
    // use as is
  }
  s = s.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 40);
  return s || undefined;
}

const ROLE_WHO: Record<Role, string> = { owner: 'the owner', edit: 'an editor', view: 'a viewer' };

/**
 * The feed entry of a successful API write, or undefined for requests that change nothing worth telling
 * (reads, status writes by the sim's own components never come here).
 */
export function describeWrite(
  method: string,
  route: ResourceRoute,
  body: Record<string, any> | undefined,
  who: { name?: string; role: Role },
  at: number,
  simTime: string,
  contentType: string,
): ActivityEntry | undefined {
  const kind = route.info.singular || route.info.kind.toLowerCase();
  const name: string | undefined = route.name ?? body?.metadata?.name ?? body?.details?.name;
  let verb: string;
  let tail = '';
  const m = method.toUpperCase();
  if (m === 'POST') verb = route.subresource ? `${route.subresource === 'eviction' ? 'evicted' : `posted ${route.subresource} to`}` : 'created';
  else if (m === 'DELETE') verb = 'deleted';
  else if (m === 'PUT' || m === 'PATCH') {
    if (route.subresource === 'scale') {
      verb = 'scaled';
      const replicas = body?.spec?.replicas;
      if (typeof replicas === 'number') tail = ` to ${replicas}`;
    } else if (route.subresource === 'status') verb = 'updated the status of';
    else if (contentType.includes('apply-patch')) verb = 'applied';
    else verb = m === 'PUT' ? 'replaced' : 'patched';
  } else return undefined;
  const whoText = who.name ?? ROLE_WHO[who.role];
  const target = name ? `${kind}/${name}` : route.info.resource;
  const where = route.namespace && route.namespace !== 'default' ? ` in ${route.namespace}` : '';
  return {
    at,
    simTime,
    who: whoText,
    role: who.role,
    verb,
    kind,
    namespace: route.namespace,
    name,
    text: `${whoText} ${verb} ${name || m !== 'DELETE' ? target : `all ${route.info.resource}`}${tail}${where}`,
  };
}
