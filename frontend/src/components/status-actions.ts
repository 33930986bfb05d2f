// The bookkeeping behind favourite, boost and bookmark: the screen answers
// at once, each action keeps to its own field and count, and a late or
// failed answer touches nothing else.

import type { Status } from '../api/types';

export type ToggleField = 'favourited' | 'reblogged' | 'bookmarked';

export const COUNT_OF: Record<ToggleField, 'favourites_count' | 'reblogs_count' | null> = {
  favourited: 'favourites_count',
  reblogged: 'reblogs_count',
  bookmarked: null,
};

/** `status` with `field` set to `on`, its count following. */
export function withToggle(status: Status, field: ToggleField, on: boolean): Status {
  if (!!status[field] === on) return status;
  const next: Status = { ...status, [field]: on };
  const count = COUNT_OF[field];
  if (count) next[count] = Math.max(0, status[count] + (on ? 1 : -1));
  return next;
}

/** `current` with `field` and its count put back as they were in `before`. */
export function revertToggle(current: Status, before: Status, field: ToggleField): Status {
  const next: Status = { ...current, [field]: before[field] };
  const count = COUNT_OF[field];
  if (count) next[count] = before[count];
  return next;
}

/**
 * The server's answer, except for the toggles still under way: those keep
 * what the screen shows until their own answer comes.
 */
export function mergeAnswer(current: Status, fresh: Status, pending: Iterable<ToggleField>): Status {
  const next: Status = { ...fresh };
  for (const field of pending) {
    next[field] = current[field];
    const count = COUNT_OF[field];
    if (count) next[count] = current[count];
  }
  return next;
}

/** The post `id` in an answer that may be the post or a boost of it. */
export function pickStatus(fresh: Status, id: string): Status | null {
  if (fresh.id === id) return fresh;
  return fresh.reblog?.id === id ? fresh.reblog : null;
}
