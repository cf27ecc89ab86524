import { useEffect, useState } from 'preact/hooks';
import { postClock } from '../api';
import type { ClockAction, ClockState, Role } from '../types';

const STEP_SECONDS = 30;

/** The cluster's virtual time now (ms), extrapolated from the last clock the server wrote. */
export function useVirtualNow(clock: ClockState | null, serverOffset: number, everyMs = 250): number {
  const moving = !!clock && !clock.paused && !clock.idle;
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!moving) return;
    const timer = setInterval(() => setTick((n) => n + 1), everyMs);
    return () => clearInterval(timer);
  }, [moving, everyMs]);
  if (!clock) return Date.now();
  const base = Date.parse(clock.now);
  if (!moving) return base;
  return base + Math.max(0, Date.now() + serverOffset - clock.wallAt) * clock.speed;
}

function ClockControls({ id, token, clock }: { id: string; token: string; clock: ClockState }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const send = async (action: ClockAction) => {
    setBusy(true);
    setError(null);
    try {
      await postClock(id, token, action); // the new clock arrives through the doc
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="clock-controls">
      <button
        type="button"
        class="btn"
        disabled={busy}
        onClick={() => send({ action: clock.paused ? 'resume' : 'pause' })}
      >
        {clock.paused ? 'Resume' : 'Pause'}
      </button>
      <button type="button" class="btn" disabled={busy} onClick={() => send({ action: 'step', seconds: STEP_SECONDS })}>
        +{STEP_SECONDS}s
      </button>
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

interface ClockBarProps {
  id: string;
  token: string;
  clock: ClockState;
  serverOffset: number;
  role: Role;
}

export function ClockBar({ id, token, clock, serverOffset, role }: ClockBarProps) {
  const now = new Date(useVirtualNow(clock, serverOffset));
  const iso = Number.isNaN(now.getTime()) ? clock.now : now.toISOString();
  return (
    <section class="clock" data-testid="clock" data-paused={String(clock.paused)} aria-label="Cluster clock">
      <div class="clock-time">
        <span class="label">Virtual time</span>
        <time dateTime={iso}>
          <span class="clock-hms">{iso.slice(11, 19)}</span> <span class="clock-date">{iso.slice(0, 10)} UTC</span>
        </time>
      </div>
      <span class={`badge ${clock.paused ? 'tone-wait' : clock.idle ? 'tone-off' : 'tone-ok'}`}>
        {clock.paused ? 'paused' : clock.idle ? 'idle' : `running ×${clock.speed}`}
      </span>
      {role !== 'view' && <ClockControls id={id} token={token} clock={clock} />}
    </section>
  );
}
