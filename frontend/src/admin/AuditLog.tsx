// The audit log, newest first: who did what to what, and why — every
// automatic and human moderation decision. Read only; filters go to the
// server (action, actor, target, time range).

import { useCallback, useState } from 'preact/hooks';

import { type AuditEntry, admin } from '../api/admin';
import type { Query } from '../api/client';
import { PagedList } from '../components/PagedList';
import { RelativeTime } from '../components/time';
import { type MessageKey, LOCALES, t } from '../i18n';
import { Link, type Params, statusPath } from '../router';
import { PERMISSIONS, useSession } from '../session';
import { AdminPage, guarded, idOf } from './common';
import { type AuditFilters, EMPTY_AUDIT_FILTERS, auditQuery } from './forms';

/** "rule.created" → "created a rule", when we have a sentence for it. */
function actionText(action: string): string | null {
  const key = `admin.audit.action.${action}`;
  return key in LOCALES.en ? t(key as MessageKey) : null;
}

function Target({ entry }: { entry: AuditEntry }) {
  const label = `${entry.target_kind} ${entry.target_id}`;
  if (entry.target_kind === 'status') return <Link href={statusPath(entry.target_id)}>{label}</Link>;
  if (entry.target_kind === 'report') return <Link href={`/web/admin/reports/${encodeURIComponent(entry.target_id)}`}>{label}</Link>;
  return <span>{label}</span>;
}

function Entry({ entry }: { entry: AuditEntry }) {
  const sentence = actionText(entry.action);
  const hasDetails = entry.details !== null && !(typeof entry.details === 'object' && Object.keys(entry.details as object).length === 0);
  return (
    <article class="audit-entry" aria-label={`${entry.actor} ${entry.action}`}>
      <p>
        <RelativeTime iso={entry.created_at} /> — <strong>{entry.actor}</strong> {sentence && `${sentence} `}
        <code class="muted">{entry.action}</code> · <Target entry={entry} />
      </p>
      {entry.reason && <p class="audit-reason">{t('admin.audit.reason', { reason: entry.reason })}</p>}
      {hasDetails && (
        <details class="admin-details">
          <summary>{t('admin.audit.details')}</summary>
          <pre>{JSON.stringify(entry.details, null, 2)}</pre>
        </details>
      )}
    </article>
  );
}

const FIELDS: [keyof AuditFilters, MessageKey, string][] = [
  ['action', 'admin.audit.filter_action', 'status.'],
  ['actor', 'admin.audit.filter_actor', 'alice, rule:ID, system'],
  ['target_kind', 'admin.audit.filter_target_kind', 'status'],
  ['target_id', 'admin.audit.filter_target_id', ''],
];

export function AuditLog(_: { params: Params }) {
  const { client } = useSession();
  const [filters, setFilters] = useState<AuditFilters>(EMPTY_AUDIT_FILTERS);
  const [draft, setDraft] = useState<AuditFilters>(EMPTY_AUDIT_FILTERS);
  const load = useCallback(guarded((q: Query) => admin.audit.list(client, { limit: 40, ...auditQuery(filters), ...q })), [client, filters]);
  const set = (key: keyof AuditFilters, value: string) => setDraft({ ...draft, [key]: value });

  return (
    <AdminPage title={t('admin.audit.title')} permission={PERMISSIONS.viewAuditLog}>
      <form
        class="card filters"
        role="search"
        aria-label={t('admin.audit.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
        }}
      >
        {FIELDS.map(([key, label, placeholder]) => (
          <div key={key} class="field">
            <label for={`audit-${key}`}>{t(label)}</label>
            <input id={`audit-${key}`} value={draft[key]} placeholder={placeholder} onInput={(e) => set(key, e.currentTarget.value)} />
          </div>
        ))}
        <div class="field">
          <label for="audit-since">{t('admin.audit.filter_since')}</label>
          <input id="audit-since" type="datetime-local" value={draft.since} onInput={(e) => set('since', e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="audit-until">{t('admin.audit.filter_until')}</label>
          <input id="audit-until" type="datetime-local" value={draft.until} onInput={(e) => set('until', e.currentTarget.value)} />
        </div>
        <div class="actions-row align-end">
          <button type="submit" class="primary">
            {t('admin.filter')}
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft(EMPTY_AUDIT_FILTERS);
              setFilters(EMPTY_AUDIT_FILTERS);
            }}
          >
            {t('admin.clear')}
          </button>
        </div>
      </form>
      <p class="help">{t('admin.audit.help')}</p>
      <PagedList<AuditEntry>
        key={JSON.stringify(filters)}
        label={t('admin.audit.title')}
        load={load}
        keyOf={idOf}
        empty={t('admin.audit.empty')}
        render={(entry) => <Entry entry={entry} />}
      />
    </AdminPage>
  );
}
