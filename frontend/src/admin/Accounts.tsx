// Accounts for moderators (Mastodon's GET /api/v2/admin/accounts): local
// users or other servers' accounts, filtered by state and user name.

import { useCallback, useState } from 'preact/hooks';

import { type AccountOrigin, type AccountStatus, type AdminAccount, admin } from '../api/admin';
import type { Query } from '../api/client';
import { PagedList } from '../components/PagedList';
import { type MessageKey, t } from '../i18n';
import type { Params } from '../router';
import { PERMISSIONS, useSession } from '../session';
import { AccountRow } from './AccountRow';
import { AdminPage, guarded, idOf, useAnnouncer } from './common';

const STATUSES: [AccountStatus, MessageKey][] = [
  ['', 'admin.accounts.status_all'],
  ['active', 'admin.accounts.status_active'],
  ['pending', 'admin.accounts.status_pending'],
  ['disabled', 'admin.accounts.status_disabled'],
  ['silenced', 'admin.accounts.status_silenced'],
  ['suspended', 'admin.accounts.status_suspended'],
];

interface Filters {
  origin: AccountOrigin;
  status: AccountStatus;
  username: string;
}

export function Accounts(_: { params: Params }) {
  const { client } = useSession();
  const [filters, setFilters] = useState<Filters>({ origin: 'local', status: '', username: '' });
  const [draft, setDraft] = useState<Filters>(filters);
  const [announcer, announce] = useAnnouncer();
  const load = useCallback(
    guarded((q: Query) =>
      admin.accounts.list(client, {
        limit: 40,
        origin: filters.origin,
        status: filters.status || undefined,
        username: filters.username.trim() || undefined,
        ...q,
      }),
    ),
    [client, filters],
  );

  const apply = (event: Event) => {
    event.preventDefault();
    setFilters(draft);
  };

  return (
    <AdminPage title={t('admin.accounts.title')} permission={PERMISSIONS.manageUsers}>
      <form class="card filters" onSubmit={apply} role="search" aria-label={t('admin.accounts.filters')}>
        <div class="field">
          <label for="acc-origin">{t('admin.accounts.origin')}</label>
          <select id="acc-origin" value={draft.origin} onChange={(e) => setDraft({ ...draft, origin: e.currentTarget.value as AccountOrigin })}>
            <option value="local">{t('admin.accounts.origin_local')}</option>
            <option value="remote">{t('admin.accounts.origin_remote')}</option>
          </select>
        </div>
        <div class="field">
          <label for="acc-status">{t('admin.accounts.status')}</label>
          <select id="acc-status" value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.currentTarget.value as AccountStatus })}>
            {STATUSES.map(([value, label]) => (
              <option key={value} value={value}>
                {t(label)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="acc-username">{t('admin.accounts.username')}</label>
          <input id="acc-username" type="search" value={draft.username} onInput={(e) => setDraft({ ...draft, username: e.currentTarget.value })} />
        </div>
        <button type="submit" class="primary align-end">
          {t('admin.filter')}
        </button>
      </form>
      <p class="help">{t('admin.accounts.roles_note')}</p>
      {announcer}
      <PagedList<AdminAccount>
        key={JSON.stringify(filters)}
        label={t('admin.accounts.title')}
        load={load}
        keyOf={idOf}
        empty={t('admin.accounts.empty')}
        render={(account, controls) => (
          <AccountRow account={account} onChange={controls.replace} onRemove={controls.remove} announce={announce} />
        )}
      />
    </AdminPage>
  );
}
