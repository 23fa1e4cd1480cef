import { memo, useDeferredValue, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VmSummary } from '../../../core/common/api';
import { StateBadge } from './StateBadge';

const Row = memo(function Row({ vm, selected, onSelect }: { vm: VmSummary; selected: boolean; onSelect: (id: string) => void }) {
  const { t } = useTranslation();
  return (
    <li role="option" aria-selected={selected} className={selected ? 'row selected' : 'row'} onClick={() => onSelect(vm.id)} data-vm={vm.name}>
      <div className="row-main">
        <span className="row-name">{vm.name}</span>
        <StateBadge state={vm.state} />
      </div>
      <div className="row-sub">
        {vm.osType} · {vm.engine} · {t('list.memory', { mib: vm.memoryMib })} · {t('list.cpus', { count: vm.cpus })}
      </div>
    </li>
  );
});

/** The machine list with a search box; rows are memoized so 200 VMs stay smooth. */
export function MachineList({ vms, selectedId, onSelect }: { vms: VmSummary[]; selectedId: string | null; onSelect: (id: string) => void }) {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const deferred = useDeferredValue(query);
  const shown = useMemo(() => {
    const q = deferred.trim().toLowerCase();
    return q ? vms.filter((v) => v.name.toLowerCase().includes(q) || v.osType.includes(q) || v.state.includes(q)) : vms;
  }, [vms, deferred]);
  return (
    <nav className="sidebar" aria-label={t('list.machines')}>
      <input
        className="search"
        type="search"
        placeholder={t('list.search')}
        aria-label={t('list.search')}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      {vms.length === 0 ? (
        <p className="empty">{t('list.empty')}</p>
      ) : shown.length === 0 ? (
        <p className="empty">{t('list.noMatch', { query })}</p>
      ) : (
        <ul role="listbox" aria-label={t('list.machines')} className="list">
          {shown.map((vm) => (
            <Row key={vm.id} vm={vm} selected={vm.id === selectedId} onSelect={onSelect} />
          ))}
        </ul>
      )}
    </nav>
  );
}
