// What a live list listens to on the streaming API, and how each event
// touches its items: posts (timelines) or notifications.

import type { Notification, Status } from './api/types';
import type { StreamSpec } from './streaming';

export interface LiveFeed<T> extends StreamSpec {
  /** The event that brings a new item. */
  event: 'update' | 'notification';
  /** Whether a streamed item belongs in this list (a filtered list); all when absent. */
  accept?: (item: T) => boolean;
  /** Whether `item` shows the post `statusId` (for `delete`). */
  refersTo: (item: T, statusId: string) => boolean;
  /** `item` with the edited post in place (for `status.update`); `item` itself when it is not concerned. */
  edited: (item: T, status: Status) => T;
}

/**
 * The edited post, keeping what the reader did with it: a public stream
 * renders the post for nobody in particular, without the reader's state.
 */
function withViewerState(old: Status, fresh: Status): Status {
  const { favourited, reblogged, bookmarked, pinned, muted } = old;
  return { ...fresh, favourited, reblogged, bookmarked, pinned, muted };
}

export function editedStatus(old: Status, fresh: Status): Status {
  if (old.id === fresh.id) return withViewerState(old, fresh);
  if (old.reblog?.id === fresh.id) return { ...old, reblog: withViewerState(old.reblog, fresh) };
  return old;
}

/** A timeline of posts: `update` events are new posts. */
export function statusFeed(spec: StreamSpec): LiveFeed<Status> {
  return {
    ...spec,
    event: 'update',
    refersTo: (status, id) => status.id === id || status.reblog?.id === id,
    edited: editedStatus,
  };
}

/** Notifications (those `accept` keeps, for a filtered tab). */
export function notificationFeed(accept?: (n: Notification) => boolean): LiveFeed<Notification> {
  return {
    stream: 'user:notification',
    event: 'notification',
    accept,
    refersTo: (n, id) => n.status?.id === id,
    edited: (n, status) => (n.status ? { ...n, status: editedStatus(n.status, status) } : n),
  };
}
