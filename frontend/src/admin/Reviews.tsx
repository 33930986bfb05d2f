// The review queue: posts held by a rule, a hook or the organisation mode,
// filtered by state and direction (kept in the address, so a filtered view
// can be shared), each with its decisions.

import { useCallback, useState } from 'preact/hooks';

import { type ReviewEntry, admin } from '../api/admin';
import type { Query } from '../api/client';
import { PagedList } from '../components/PagedList';
import { type MessageKey, t } from '../i18n';
import { Link, type Params, useLocation } from '../router';
import { PERMISSIONS, useSession } from '../session';
import { type Decision, ReviewItem } from './ReviewItem';
import { AdminPage, guarded, idOf, useAnnouncer } from './common';

const STATES = [
  ['pending', 'admin.reviews.tab_pending'],
  ['rejected', 'admin.reviews.tab_rejected'],
] as const;

const DIRECTIONS = [
  ['', 'admin.reviews.tab_all'],
  ['outbound', 'admin.reviews.tab_outbound'],
  ['inbound', 'admin.reviews.tab_inbound'],
] as const;

const DECIDED: Record<Decision, MessageKey> = {
  approved: 'admin.reviews.done_approved',
  approved_cw: 'admin.reviews.done_approved_cw',
  rejected: 'admin.reviews.done_rejected',
};

function href(state: string, direction: string): string {
  const query = new URLSearchParams();
  if (state !== 'pending') query.set('state', state);
  if (direction) query.set('direction', direction);
  const text = query.toString();
  return `/web/admin/reviews${text ? `?${text}` : ''}`;
}

export function Reviews(_: { params: Params }) {
  const { client } = useSession();
  const { query } = useLocation();
  const state = query.get('state') === 'rejected' ? 'rejected' : 'pending';
  const direction = ['inbound', 'outbound'].includes(query.get('direction') ?? '') ? (query.get('direction') as string) : '';
  const [generation, setGeneration] = useState(0);
  const [announcer, announce] = useAnnouncer();

  const load = useCallback(
    guarded((q: Query) => admin.reviews.list(client, { limit: 20, state, direction: direction || undefined, ...q })),
    [client, state, direction],
  );

  const stale = (message: string) => {
    announce(t('admin.reviews.stale', { message: message.replace(/^Validation failed:\s*/, '').replace(/\.$/, '') }), true);
    setGeneration((n) => n + 1);
  };

  return (
    <AdminPage title={t('admin.reviews.title')} permission={PERMISSIONS.reviewPosts}>
      <p class="lead">{t('admin.reviews.intro')}</p>
      <nav class="tabs" aria-label={t('admin.reviews.state_filter')}>
        {STATES.map(([value, label]) => (
          <Link key={value} href={href(value, direction)} aria-current={state === value ? 'page' : undefined}>
            {t(label)}
          </Link>
        ))}
      </nav>
      <nav class="tabs" aria-label={t('admin.reviews.direction_filter')}>
        {DIRECTIONS.map(([value, label]) => (
          <Link key={value} href={href(state, value)} aria-current={direction === value ? 'page' : undefined}>
            {t(label)}
          </Link>
        ))}
      </nav>
      {announcer}
      <PagedList<ReviewEntry>
        key={`${state}-${direction}-${generation}`}
        label={t('admin.reviews.title')}
        load={load}
        keyOf={idOf}
        empty={state === 'pending' ? t('admin.reviews.empty_pending') : t('admin.reviews.empty_rejected')}
        render={(entry, controls) => (
          <ReviewItem
            entry={entry}
            onDecided={(decision) => {
              controls.remove();
              announce(t(DECIDED[decision], { acct: entry.status.account.acct }));
            }}
            onStale={stale}
          />
        )}
      />
    </AdminPage>
  );
}
