import type { ConnectionState } from '../sync';
import type { Role } from '../types';

const CONNECTION_LABELS: Record<ConnectionState['kind'], string> = {
  connecting: 'connecting',
  live: 'live',
  reconnecting: 'reconnecting',
  failed: 'disconnected',
};

const CONNECTION_TONES: Record<ConnectionState['kind'], string> = {
  connecting: 'wait',
  live: 'ok',
  reconnecting: 'wait',
  failed: 'bad',
};

interface TopBarProps {
  id: string;
  role: Role | null;
  connection: ConnectionState;
}

export function TopBar({ id, role, connection }: TopBarProps) {
  return (
    <header class="topbar">
      <a class="brand" href="/">
        Kuberoom
      </a>
      <span class="sandbox-id" title="sandbox id">
        {id}
      </span>
      <span class="topbar-end">
        {role && (
          <span class="badge" data-testid="role">
            {role}
          </span>
        )}
        <span
          class={`badge tone-${CONNECTION_TONES[connection.kind]}`}
          data-testid="connection"
          data-state={connection.kind}
          role="status"
        >
          <span class="dot" aria-hidden="true" />
          {CONNECTION_LABELS[connection.kind]}
        </span>
      </span>
    </header>
  );
}
