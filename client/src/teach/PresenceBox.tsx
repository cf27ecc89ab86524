// Who is here (name, colour, role, what they look at), the name prompt, and "follow the instructor".
import { useState } from 'preact/hooks';
import type { Role } from '../types';
import { usePresence, type Person } from './presence';

const ROLE_LABEL: Record<Role, string> = { owner: 'instructor', edit: 'editor', view: 'viewer' };

function looksAt(p: Person): string {
  const { tab, selected, file } = p.view;
  if (tab === 'files' && file) return `files: ${file}`;
  if (!selected) return tab;
  const [kind = '', ns = '', ...rest] = selected.split('/');
  return `${tab}: ${kind.toLowerCase()}/${ns ? `${ns}/` : ''}${rest.join('/')}`;
}

function NameForm({ initial, onDone }: { initial: string; onDone: (name: string) => void }) {
  const [value, setValue] = useState(initial);
  return (
    <form
      class="teach-name"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) onDone(value);
      }}
    >
      <label for="teach-name-input">Your name, so others know who is here</label>
      <div class="invite-row">
        <input id="teach-name-input" class="link-field" value={value} maxLength={40} onInput={(e) => setValue(e.currentTarget.value)} />
        <button type="submit" class="btn btn--small">
          Join
        </button>
      </div>
    </form>
  );
}

export function PresenceBox({ role }: { role: Role | null }) {
  const presence = usePresence(role);
  const [renaming, setRenaming] = useState(false);
  const people = presence.list();
  const leader = presence.leader();
  const leadingOwner = people.find((p) => !p.self && p.role === 'owner' && p.lead);
  const followers = people.filter((p) => !p.self && p.following !== null && people.find((q) => q.self)?.clientId === p.following);
  return (
    <section class="card panel teach-presence" aria-labelledby="presence-title" data-testid="presence">
      <header class="card-head">
        <h2 id="presence-title">Here now ({people.length})</h2>
      </header>
      {(!presence.hasName || renaming) && (
        <NameForm
          initial={presence.hasName ? presence.user.name : ''}
          onDone={(name) => {
            presence.setName(name);
            setRenaming(false);
          }}
        />
      )}
      {role === 'owner' && (
        <p class="teach-follow">
          <button type="button" class={`btn ${presence.leading ? '' : 'btn--primary'}`} data-testid="lead" onClick={() => presence.setLead(!presence.leading)}>
            {presence.leading ? 'Stop asking to follow' : 'Ask everyone to follow me'}
          </button>
          {presence.leading && <span class="muted"> {followers.length} following you</span>}
        </p>
      )}
      {role !== 'owner' && leader && (
        <p class="teach-follow" data-testid="following">
          <span class="dot" style={{ background: leader.user.color }} /> Following <strong>{leader.user.name}</strong>{' '}
          <button type="button" class="btn btn--small" onClick={() => presence.follow(null)}>
            Stop following
          </button>
        </p>
      )}
      {role !== 'owner' && !leader && leadingOwner && (
        <p class="teach-follow">
          <strong>{leadingOwner.user.name}</strong> asks everyone to follow.{' '}
          <button type="button" class="btn btn--small btn--primary" data-testid="follow" onClick={() => presence.follow('auto')}>
            Follow the instructor
          </button>
        </p>
      )}
      <ul class="teach-people">
        {people.map((p) => (
          <li key={p.clientId} data-testid="person" data-name={p.user.name}>
            <span class="dot" style={{ background: p.user.color }} aria-hidden="true" />
            <span class="teach-people__name">
              {p.user.name}
              {p.self && <span class="muted"> (you)</span>}
            </span>
            <span class="badge">{ROLE_LABEL[p.role]}</span>
            <span class="muted teach-people__view">{looksAt(p)}</span>
            {p.self ? (
              <button type="button" class="btn btn--small" onClick={() => setRenaming(true)}>
                Rename
              </button>
            ) : (
              !p.self && leader?.clientId !== p.clientId && (
                <button type="button" class="btn btn--small" onClick={() => presence.follow(p.clientId)} aria-label={`Follow ${p.user.name}`}>
                  Follow
                </button>
              )
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
