// Partner servers for allowlist mode (Mastodon's /api/v1/admin/domain_allows).

import { useCallback, useState } from 'preact/hooks';

import { type DomainAllow, admin } from '../api/admin';
import type { Query } from '../api/client';
import { PagedList } from '../components/PagedList';
import { RelativeTime } from '../components/time';
import { t } from '../i18n';
import { useSession } from '../session';
import { actionError, guarded, idOf, useAnnouncer } from './common';

export function DomainAllows() {
  const { client } = useSession();
  const [domain, setDomain] = useState('');
  const [busy, setBusy] = useState(false);
  const [generation, setGeneration] = useState(0);
  const [announcer, announce] = useAnnouncer();
  const load = useCallback(guarded((q: Query) => admin.domainAllows.list(client, { limit: 100, ...q })), [client]);

  const add = async (event: Event) => {
    event.preventDefault();
    const name = domain.trim();
    if (!name) return;
    setBusy(true);
    try {
      const allow = await admin.domainAllows.create(client, name);
      setDomain('');
      setGeneration((n) => n + 1);
      announce(t('admin.allows.added', { domain: allow.domain }));
    } catch (e) {
      announce(actionError(e), true);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (allow: DomainAllow, done: () => void) => {
    if (!confirm(t('admin.allows.confirm_remove', { domain: allow.domain }))) return;
    try {
      await admin.domainAllows.remove(client, allow.id);
      done();
      announce(t('admin.allows.removed', { domain: allow.domain }));
    } catch (e) {
      announce(actionError(e), true);
    }
  };

  return (
    <>
      <form class="card inline-form" onSubmit={add}>
        <div class="field">
          <label for="allow-domain">{t('admin.allows.domain')}</label>
          <input id="allow-domain" value={domain} required placeholder="partner.example" onInput={(e) => setDomain(e.currentTarget.value)} />
        </div>
        <button type="submit" class="primary" disabled={busy || !domain.trim()}>
          {t('admin.allows.add')}
        </button>
      </form>
      {announcer}
      <PagedList<DomainAllow>
        key={generation}
        label={t('admin.federation.allows_heading')}
        load={load}
        keyOf={idOf}
        empty={t('admin.allows.empty')}
        render={(allow, controls) => (
          <article class="card admin-item admin-item-row" aria-label={allow.domain}>
            <span>
              <strong class="domain">{allow.domain}</strong>{' '}
              <span class="muted">
                <RelativeTime iso={allow.created_at} />
              </span>
            </span>
            <button type="button" class="danger" aria-label={t('admin.allows.remove_label', { domain: allow.domain })} onClick={() => void remove(allow, controls.remove)}>
              {t('admin.remove')}
            </button>
          </article>
        )}
      />
    </>
  );
}
