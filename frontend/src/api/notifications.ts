// Typed calls for notifications and the read marker.

import type { Client, Query } from './client';
import type { Notification, NotificationType } from './types';

/** The filter tabs of the notifications page and the types each shows. */
export const NOTIFICATION_FILTERS = {
  all: [],
  mentions: ['mention'],
  follows: ['follow', 'follow_request'],
  favourites: ['favourite'],
  boosts: ['reblog'],
  reviews: ['loggia.review_requested', 'loggia.review_approved', 'loggia.review_rejected'],
  admin: ['admin.report', 'admin.sign_up'],
} as const satisfies Record<string, readonly NotificationType[]>;

export type NotificationFilter = keyof typeof NOTIFICATION_FILTERS;

export const notifications = {
  list: (c: Client, filter: NotificationFilter, query: Query) => {
    const types: string[] = [...NOTIFICATION_FILTERS[filter]];
    return c.page<Notification>('/api/v1/notifications', { ...query, types: types.length ? types : undefined });
  },
  /** Remembers the newest notification seen, for the unread count. */
  markRead: (c: Client, lastReadId: string) =>
    c.post<unknown>('/api/v1/markers', { notifications: { last_read_id: lastReadId } }),
};
