// Notifications, filtered by kind (the filter lives in the URL as
// `?filter=mentions`), with new ones offered live. Opening the page marks
// what it shows as read (the `notifications` marker).

import { useCallback, useMemo } from 'preact/hooks';

import type { Query } from '../api/client';
import { type NotificationFilter, NOTIFICATION_FILTERS, notifications } from '../api/notifications';
import type { Notification } from '../api/types';
import { PageTitle } from '../components/Layout';
import { PagedList } from '../components/PagedList';
import { type MessageKey, t, tn } from '../i18n';
import { notificationFeed } from '../live-feeds';
import { Link, type Params, useLocation } from '../router';
import { PERMISSIONS, can, useSession } from '../session';
import { NotificationItem } from './notifications/NotificationItem';

const LABELS: Record<NotificationFilter, MessageKey> = {
  all: 'notifications.filter_all',
  mentions: 'notifications.filter_mentions',
  follows: 'notifications.filter_follows',
  favourites: 'notifications.filter_favourites',
  boosts: 'notifications.filter_boosts',
  reviews: 'notifications.filter_reviews',
  admin: 'notifications.filter_admin',
};

// Stable: PagedList reloads when `keyOf` changes identity.
const notificationKey = (n: Notification) => n.id;

const newerLabel = (count: number) => tn('notifications.show_new', count);

function filterOf(value: string | null): NotificationFilter {
  return value && value in NOTIFICATION_FILTERS ? (value as NotificationFilter) : 'all';
}

export function Notifications(_: { params: Params }) {
  const session = useSession();
  const { client, me } = session;
  const { query } = useLocation();
  const filter = filterOf(query.get('filter'));
  const staff = can(session, PERMISSIONS.manageReports) || can(session, PERMISSIONS.manageUsers);
  const filters = (Object.keys(LABELS) as NotificationFilter[]).filter((f) => f !== 'admin' || staff);
  const requests = me.source.follow_requests_count ?? 0;

  const load = useCallback(
    async (page: Query) => {
      const result = await notifications.list(client, filter, { limit: 20, ...page });
      // The first page of "All" is what the reader has now seen.
      const top = result.items[0];
      if (filter === 'all' && Object.keys(page).length === 0 && top) {
        void notifications.markRead(client, top.id).catch(() => undefined);
      }
      return result;
    },
    [client, filter],
  );

  const feed = useMemo(() => {
    const types: readonly string[] = NOTIFICATION_FILTERS[filter];
    return notificationFeed(types.length ? (n) => types.includes(n.type) : undefined);
  }, [filter]);

  return (
    <>
      <PageTitle>{t('notifications.title')}</PageTitle>
      {(me.locked || requests > 0) && (
        <p class="notice-link">
          <Link href="/web/follow_requests">{tn('notifications.requests_link', requests)}</Link>
        </p>
      )}
      <nav class="tabs" aria-label={t('notifications.filters')}>
        {filters.map((f) => (
          <Link
            key={f}
            href={f === 'all' ? '/web/notifications' : `/web/notifications?filter=${f}`}
            aria-current={f === filter ? 'page' : undefined}
          >
            {t(LABELS[f])}
          </Link>
        ))}
      </nav>
      <PagedList<Notification>
        key={filter}
        label={`${t('notifications.title')}: ${t(LABELS[filter])}`}
        load={load}
        keyOf={notificationKey}
        live={feed}
        newerLabel={newerLabel}
        empty={t('notifications.empty')}
        render={(n, controls) => (
          <NotificationItem notification={n} onStatus={(status) => controls.replace({ ...n, status })} />
        )}
      />
    </>
  );
}
