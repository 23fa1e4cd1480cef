import {
  AppWindow,
  Archive,
  CircleAlert,
  CirclePause,
  CirclePlay,
  CircleStop,
  Cpu,
  LoaderCircle,
  SquareTerminal,
  type LucideIcon,
  type LucideProps,
} from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { OsType } from '../../../core/common/presets';
import type { VmState } from '../../../core/common/state';

/** Each state's glyph; the in-between states spin. */
export const stateIcons: Readonly<Record<VmState, LucideIcon>> = {
  stopped: CircleStop,
  starting: LoaderCircle,
  running: CirclePlay,
  pausing: LoaderCircle,
  paused: CirclePause,
  resuming: LoaderCircle,
  stopping: LoaderCircle,
  saved: Archive,
  crashed: CircleAlert,
};

const busy: readonly VmState[] = ['starting', 'pausing', 'resuming', 'stopping'];

export function StateIcon({ state, ...props }: { state: VmState } & LucideProps) {
  const Icon = stateIcons[state];
  return <Icon aria-hidden="true" size={14} className={busy.includes(state) ? 'spin' : undefined} {...props} />;
}

/** The OS family of an OS type: generic glyphs (a terminal, a window, a chip), no vendor's mark. */
export function osFamily(os: OsType | string): 'linux' | 'windows' | 'other' {
  return os.startsWith('linux') ? 'linux' : os.startsWith('windows') ? 'windows' : 'other';
}

const osIcons: Readonly<Record<ReturnType<typeof osFamily>, LucideIcon>> = { linux: SquareTerminal, windows: AppWindow, other: Cpu };

/** The VM's OS family as an icon, named for screen readers ("Linux, 64-bit"). */
export function OsIcon({ os, size = 20 }: { os: OsType | string; size?: number }) {
  const { t } = useTranslation();
  const family = osFamily(os);
  const Icon = osIcons[family];
  const bits = os.endsWith('x86') ? '32' : '64';
  const label = t('gui.os', { family: t(`gui.osFamily.${family}`), bits });
  return (
    <span className={`os-icon os-${family}`} role="img" aria-label={label} title={label}>
      <Icon aria-hidden="true" size={size} />
    </span>
  );
}
