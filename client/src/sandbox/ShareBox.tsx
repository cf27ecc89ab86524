import { CopyButton } from '../CopyButton';
import type { ShareLinks } from '../types';

const INVITES: { key: keyof ShareLinks; label: string; hint: string }[] = [
  { key: 'edit', label: 'Edit link', hint: 'can change the cluster and its clock' },
  { key: 'view', label: 'View link', hint: 'can only watch and read' },
];

/** The owner's invitation links. */
export function ShareBox({ links }: { links: ShareLinks }) {
  return (
    <section class="card panel" aria-labelledby="share-title">
      <header class="card-head">
        <h2 id="share-title">Invite others</h2>
      </header>
      <ul class="invites">
        {INVITES.map(({ key, label, hint }) => (
          <li key={key}>
            <div>
              <strong>{label}</strong> <span class="muted">— {hint}</span>
            </div>
            <div class="invite-row">
              <input
                class="link-field"
                readOnly
                value={links[key]}
                aria-label={label}
                onFocus={(e) => e.currentTarget.select()}
              />
              <CopyButton text={links[key]} />
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
