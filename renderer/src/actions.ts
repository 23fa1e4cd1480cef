import { Archive, ArchiveX, CirclePause, CirclePlay, CirclePower, Plus, PowerOff, RotateCcw, Server, Trash2, type LucideIcon } from 'lucide-react';
import type { VmSummary } from '../../core/common/api';
import { isActionAllowed, type VmAction } from '../../core/common/state';

/** What the toolbar, its overflow menu, the list's context menu and the keyboard can ask for. */
export type ToolbarAction = 'new' | 'start' | 'pause' | 'resume' | 'reset' | 'shutdown' | 'poweroff' | 'save' | 'discard' | 'delete' | 'host';

export interface ActionInfo {
  action: ToolbarAction;
  /** Its word's key in the catalog (locales/en.ts, toolbar.*). */
  label: string;
  icon: LucideIcon;
  /** The letter pressed with Alt. */
  key?: string;
  /** A separator goes before it in the toolbar. */
  group?: boolean;
}

const info: Record<ToolbarAction, ActionInfo> = {
  new: { action: 'new', label: 'toolbar.new', icon: Plus, key: 'N' },
  start: { action: 'start', label: 'toolbar.start', icon: CirclePlay, key: 'S', group: true },
  pause: { action: 'pause', label: 'toolbar.pause', icon: CirclePause, key: 'P' },
  resume: { action: 'resume', label: 'toolbar.resume', icon: CirclePlay, key: 'P' },
  reset: { action: 'reset', label: 'toolbar.reset', icon: RotateCcw, key: 'R' },
  shutdown: { action: 'shutdown', label: 'toolbar.shutdown', icon: CirclePower, key: 'H' },
  poweroff: { action: 'poweroff', label: 'toolbar.powerOff', icon: PowerOff, key: 'O' },
  save: { action: 'save', label: 'toolbar.save', icon: Archive, key: 'V' },
  discard: { action: 'discard', label: 'toolbar.discard', icon: ArchiveX },
  delete: { action: 'delete', label: 'toolbar.delete', icon: Trash2, group: true },
  host: { action: 'host', label: 'toolbar.host', icon: Server, key: 'I', group: true },
};

export function actionInfo(a: ToolbarAction): ActionInfo {
  return info[a];
}

/** The lifecycle actions for these VMs, in toolbar order: Pause turns into Resume, Save state into Discard state, as the (first) VM's state asks. */
export function vmActionsFor(vms: readonly VmSummary[]): ToolbarAction[] {
  const first = vms[0];
  return ['start', first?.state === 'paused' ? 'resume' : 'pause', 'reset', 'shutdown', 'poweroff', first?.state === 'saved' ? 'discard' : 'save', 'delete'];
}

/**
 * Whether an action may be asked of these VMs, from the one table of allowed states
 * (core/common/state.ts). With several VMs selected, only starting and stopping apply to all
 * of them (each VM in a state that allows it); the rest need exactly one.
 */
export function isAllowedFor(a: ToolbarAction, vms: readonly VmSummary[]): boolean {
  if (a === 'new' || a === 'host') return true;
  if (vms.length === 0) return false;
  const usable = vms.filter((v) => !v.inaccessible);
  if (vms.length > 1 && !multiActions.includes(a)) return false;
  return usable.some((v) => isActionAllowed(a as VmAction, v.state));
}

/** What several selected VMs can be asked at once. */
export const multiActions: readonly ToolbarAction[] = ['start', 'shutdown', 'poweroff', 'pause', 'resume'];

/** The Alt+letter shortcuts. */
export const shortcuts: Readonly<Record<string, ToolbarAction>> = Object.fromEntries(
  Object.values(info)
    .filter((i) => i.key && i.action !== 'resume')
    .map((i) => [i.key!.toLowerCase(), i.action]),
);
