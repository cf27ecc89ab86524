// The teaching and editing views' places in the sandbox page: tabs of the workspace and the side column.
// SandboxPage renders TEACH_TABS after the cluster views' tabs, and TeachSide at the top of the side column.
import type { ComponentType } from 'preact';
import type { ClusterSnapshot, Session } from '../types';
import { ConnectBox } from './ConnectBox';
import { FilesTab } from './FilesTab';
import { InstructorPanel } from './InstructorPanel';
import { PresenceBox } from './PresenceBox';
import { TrafficTab } from './TrafficTab';

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
];

export function TeachSide(props: TeachProps) {
  const role = props.session?.role ?? null;
  return (
    <>
      <PresenceBox role={role} />
      <InstructorPanel {...props} />
      <ConnectBox id={props.id} token={props.token} role={role} />
    </>
  );
}
