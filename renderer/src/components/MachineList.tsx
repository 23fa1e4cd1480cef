import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VmSummary } from '../../../core/common/api';
import { vmStates } from '../../../core/common/state';
import { isAllowedFor, vmActionsFor, type ToolbarAction } from '../actions';
import { ago, useVmActivity } from '../vmActivity';
import { OsIcon } from './icons';
import { ActionMenu } from './Menu';
import { StateBadge } from './StateBadge';

const ROW_PX = 56;
const GROUP_PX = 28;
type SortKey = 'name' | 'state' | 'lastUsed';

/** Where a VM runs. One host today, "This computer"; the libvirt hosts issue adds remote ones (a `host` on the summary). */
const LOCAL_HOST = 'local';

const collator = new Intl.Collator();

type Item = { kind: 'group'; host: string; count: number } | { kind: 'vm'; vm: VmSummary };

/** What a row shows; its selection and handlers sit on its li. */
const Row = memo(function Row({ vm, since }: { vm: VmSummary; since: string | null }) {
  const { t } = useTranslation();
  return (
    <>
      <OsIcon os={vm.osType} />
      <div className="row-text">
        <div className="row-main">
          <span className="row-name">{vm.name}</span>
          <StateBadge state={vm.state} />
        </div>
        <div className="row-sub">
          {since ? <span className="row-since">{since} · </span> : null}
          {vm.engine} · {t('list.memory', { mib: vm.memoryMib })} · {t('list.cpus', { count: vm.cpus })}
        </div>
      </div>
    </>
  );
});

/**
 * The machine list, as VirtualBox's: grouped by host, sortable, filtered by the search box,
 * several VMs selectable (Ctrl/Shift+click, Shift+arrows), a context menu with the toolbar's
 * actions. Virtualised: only the rows on screen exist, so a thousand VMs scroll as smoothly as ten.
 */
export function MachineList({
  vms,
  selectedId,
  selection,
  onSelect,
  onAction,
}: {
  vms: VmSummary[];
  selectedId: string | null;
  /** The selected VMs' ids (the one whose tabs are shown is `selectedId`). */
  selection: readonly string[];
  onSelect: (id: string, selection: string[]) => void;
  onAction: (a: ToolbarAction) => void;
}) {
  const { t, i18n } = useTranslation();
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<SortKey>('name');
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  const deferred = useDeferredValue(query);
  const { since, lastUsed, now } = useVmActivity(vms);
  // Sorted once per list or order (a keystroke only filters), with one collator (localeCompare makes one per call).
  const sorted = useMemo(() => {
    const list = [...vms];
    const byName = (a: VmSummary, b: VmSummary) => collator.compare(a.name, b.name);
    if (sort === 'name') list.sort(byName);
    else if (sort === 'state') list.sort((a, b) => vmStates.indexOf(a.state) - vmStates.indexOf(b.state) || byName(a, b));
    else list.sort((a, b) => (lastUsed[b.id] ?? 0) - (lastUsed[a.id] ?? 0) || byName(a, b));
    return list;
  }, [vms, sort, lastUsed]);
  const shown = useMemo(() => {
    const q = deferred.trim().toLowerCase();
    return q ? sorted.filter((v) => v.name.toLowerCase().includes(q) || v.osType.includes(q) || v.state.includes(q)) : sorted;
  }, [sorted, deferred]);
  const items = useMemo<Item[]>(() => [{ kind: 'group', host: LOCAL_HOST, count: shown.length }, ...shown.map((vm) => ({ kind: 'vm' as const, vm }))], [shown]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: (i) => (items[i]!.kind === 'group' ? GROUP_PX : ROW_PX),
    overscan: 6,
  });
  const selected = useMemo(() => new Set(selection), [selection]);
  // For the GUI benchmark (test/bench/gui.ts): the first frame painted with the list (a task after the frame's callback).
  useEffect(() => {
    requestAnimationFrame(() => setTimeout(() => performance.mark('gh:list-painted')));
  }, []);
  const anchor = useRef<string | null>(null);

  const indexOf = (id: string) => shown.findIndex((v) => v.id === id);
  const pick = (id: string, mode: 'one' | 'toggle' | 'range') => {
    if (mode === 'one' || !selectedId) {
      anchor.current = id;
      return onSelect(id, [id]);
    }
    if (mode === 'toggle') {
      anchor.current = id;
      return onSelect(id, selected.has(id) ? selection.filter((s) => s !== id) : [...selection, id]);
    }
    const [a, b] = [indexOf(anchor.current ?? selectedId), indexOf(id)].sort((x, y) => x - y);
    onSelect(
      id,
      shown.slice(Math.max(0, a!), b! + 1).map((v) => v.id),
    );
  };
  const onPick = (id: string, e: React.MouseEvent) => pick(id, e.shiftKey ? 'range' : e.ctrlKey || e.metaKey ? 'toggle' : 'one');
  const onMenu = (id: string, e: React.MouseEvent) => {
    e.preventDefault();
    if (!selected.has(id)) pick(id, 'one');
    setMenu({ x: e.clientX, y: e.clientY });
  };
  const onKey = (e: React.KeyboardEvent) => {
    const i = selectedId ? indexOf(selectedId) : -1;
    const go = (n: number) => {
      const vm = shown[Math.max(0, Math.min(shown.length - 1, n))];
      if (!vm) return;
      pick(vm.id, e.shiftKey ? 'range' : 'one');
      virtual.scrollToIndex(indexOf(vm.id) + 1);
    };
    if (e.key === 'ArrowDown') go(i + 1);
    else if (e.key === 'ArrowUp') go(i - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(shown.length - 1);
    else if (e.key === 'PageDown') go(i + 10);
    else if (e.key === 'PageUp') go(i - 10);
    else if ((e.key === 'a' || e.key === 'A') && (e.ctrlKey || e.metaKey))
      onSelect(
        selectedId ?? shown[0]?.id ?? '',
        shown.map((v) => v.id),
      );
    else if (e.key === 'ContextMenu' || (e.key === 'F10' && e.shiftKey)) {
      const el = document.getElementById(`vm-row-${selectedId}`)?.getBoundingClientRect();
      if (el) setMenu({ x: el.left + 24, y: el.bottom });
    } else return;
    e.preventDefault();
  };
  const chosen = vms.filter((v) => selected.has(v.id));
  const activeVisible = selectedId !== null && indexOf(selectedId) >= 0;

  return (
    <nav className="sidebar" aria-label={t('list.machines')}>
      <div className="list-tools">
        <input
          className="search"
          type="search"
          placeholder={t('list.search')}
          aria-label={t('list.search')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <select aria-label={t('gui.sortBy')} value={sort} onChange={(e) => setSort(e.target.value as SortKey)}>
          {(['name', 'state', 'lastUsed'] as const).map((k) => (
            <option key={k} value={k}>
              {t(`gui.sort.${k}`)}
            </option>
          ))}
        </select>
      </div>
      {vms.length === 0 ? (
        <p className="empty">{t('list.empty')}</p>
      ) : shown.length === 0 ? (
        <p className="empty">{t('list.noMatch', { query })}</p>
      ) : (
        <div className="list" ref={scroller}>
          <ul
            role="listbox"
            aria-label={t('list.machines')}
            aria-multiselectable="true"
            tabIndex={0}
            aria-activedescendant={activeVisible ? `vm-row-${selectedId}` : undefined}
            onKeyDown={onKey}
            style={{ height: virtual.getTotalSize() }}
          >
            {virtual.getVirtualItems().map((v) => {
              const item = items[v.index]!;
              const style = { transform: `translateY(${v.start}px)`, height: v.size };
              if (item.kind === 'group')
                return (
                  <li key="group" role="presentation" className="group-head" style={style}>
                    {t('gui.thisComputer')} <span className="small">({t('gui.vmCount', { count: item.count })})</span>
                  </li>
                );
              const vm = item.vm;
              const at = since.get(vm.id);
              return (
                <li
                  key={vm.id}
                  id={`vm-row-${vm.id}`}
                  role="option"
                  aria-selected={selected.has(vm.id)}
                  aria-setsize={shown.length}
                  aria-posinset={v.index}
                  className={`row${selected.has(vm.id) ? ' selected' : ''}${vm.id === selectedId ? ' active' : ''}`}
                  data-vm={vm.name}
                  style={style}
                  onClick={(e) => onPick(vm.id, e)}
                  onContextMenu={(e) => onMenu(vm.id, e)}
                >
                  <Row vm={vm} since={at !== undefined ? ago(at, now, i18n.language) : null} />
                </li>
              );
            })}
          </ul>
        </div>
      )}
      {chosen.length > 1 ? (
        <p className="selection-count small" role="status">
          {t('gui.selected', { count: chosen.length })}
        </p>
      ) : null}
      {menu ? (
        <ActionMenu
          label={t('gui.vmActions')}
          entries={vmActionsFor(chosen).map((a) => ({ action: a, enabled: isAllowedFor(a, chosen) }))}
          at={menu}
          onPick={onAction}
          onClose={() => setMenu(null)}
        />
      ) : null}
    </nav>
  );
}
