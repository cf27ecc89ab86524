import { stringify } from 'yaml';
import type { Role } from './auth.ts';

/**
 * A kubeconfig for one sandbox and role. Over https the token travels as a bearer token; over plain http
 * kubectl sends no credentials, so the token is carried in the server URL's path instead.
 */
export function kubeconfig(origin: string, sandboxId: string, token: string, role: Role): string {
  const name = `kuberoom-${sandboxId.slice(0, 8).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
  const https = origin.startsWith('https:');
  const server = https ? `${origin}/s/${sandboxId}/k8s` : `${origin}/s/${sandboxId}/k8s/t/${token}`;
  const user = `${name}-${role}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server } }],
    users: [{ name: user, user: https ? { token } : {} }],
    contexts: [{ name, context: { cluster: name, user, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}
