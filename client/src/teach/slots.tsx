// The teaching and editing views' places in the sandbox page: tabs of the workspace and the side column.
// SandboxPage renders TEACH_TABS after the cluster views' tabs, and TeachSide at the top of the side column.
import type { ComponentType } from 'preact';
import type { ClusterSnapshot, Session } from '../types';
import { ConnectBox } from './ConnectBox';
import { FilesTab } from './FilesTab';
import { InstructorPanel } from './InstructorPanel';
import { PresenceBox } from './PresenceBox';
import { TrafficTab } from './TrafficTab';
import { useEffect } from 'preact/hooks';
import { useChecks, useChecksPoller } from '../scenarios/checks-store';
import { SessionBox } from '../scenarios/SessionBox';
import { TaskTab } from '../scenarios/TaskTab';
import { SaveScenario } from '../scenarios/SaveScenario';
import { getViewState, setViewState } from './view-state';

export interface TeachProps {
  id: string;
  token: string;
  session: Session | null;
  cluster: ClusterSnapshot | null;
}

export interface TeachTab {
  key: string;
  label: string;
  View: ComponentType<TeachProps>;
}

export const TEACH_TABS: TeachTab[] = [
  { key: 'files', label: 'Files', View: FilesTab },
  { key: 'traffic', label: 'Traffic', View: TrafficTab },
  // The sandbox as a new scenario file (owner and edit links; a view link is told it cannot).
  { key: 'save-scenario', label: 'Save as scenario', View: SaveScenario },
];

/** The scenario's task and checks: a tab only in a sandbox started from a scenario (added once its checks answer). */
const TASK_TAB: TeachTab = { key: 'task', label: 'Task', View: TaskTab };

/**
 * Adds the Task tab (first of the teaching tabs) once the sandbox turns out to have a scenario, and opens it
 * if the page still shows its first view. SandboxPage reads TEACH_TABS on each render; changing the tab renders it.
 */
function useTaskTab(hasScenario: boolean): void {
  useEffect(() => {
    if (!hasScenario || TEACH_TABS.includes(TASK_TAB)) return;
    TEACH_TABS.unshift(TASK_TAB);
    if (getViewState().tab === 'map') setViewState({ tab: TASK_TAB.key });
  }, [hasScenario]);
}

export function TeachSide(props: TeachProps) {
  const role = props.session?.role ?? null;
  useChecksPoller(props.id, props.token, props.cluster);
  useTaskTab(!!useChecks().view?.scenario);
  return (
    <>
      <SessionBox id={props.id} token={props.token} role={role} />
      <PresenceBox role={role} />
      <InstructorPanel {...props} />
      <ConnectBox id={props.id} token={props.token} role={role} />
    </>
  );
}
