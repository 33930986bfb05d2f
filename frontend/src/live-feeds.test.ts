import { describe, expect, it } from 'vitest';

import type { Notification, Status } from './api/types';
import { editedStatus, notificationFeed, statusFeed } from './live-feeds';

const post = (id: string, extra: Partial<Status> = {}) => ({ id, content: id, reblog: null, ...extra }) as Status;

describe('live feeds', () => {
  it('puts an edited post in place, keeping the reader’s own state', () => {
    const shown = post('1', { favourited: true, bookmarked: true, content: 'old' });
    const fresh = post('1', { favourited: false, content: 'new' });
    expect(editedStatus(shown, fresh)).toMatchObject({ content: 'new', favourited: true, bookmarked: true });
    const boost = post('2', { reblog: shown });
    expect(editedStatus(boost, fresh).reblog).toMatchObject({ id: '1', content: 'new', favourited: true });
    expect(editedStatus(post('3'), fresh)).toEqual(post('3'));
  });

  it('finds the items a deleted post is shown in', () => {
    const feed = statusFeed({ stream: 'user' });
    expect(feed.event).toBe('update');
    expect(feed.refersTo(post('1'), '1')).toBe(true);
    expect(feed.refersTo(post('2', { reblog: post('1') }), '1')).toBe(true);
    expect(feed.refersTo(post('2'), '1')).toBe(false);
    const notes = notificationFeed();
    const mention = { id: '9', type: 'mention', status: post('1') } as Notification;
    expect(notes.refersTo(mention, '1')).toBe(true);
    expect(notes.refersTo({ ...mention, status: null }, '1')).toBe(false);
  });

  it('keeps a filtered notifications tab to its types', () => {
    const feed = notificationFeed((n) => n.type === 'mention');
    expect(feed.stream).toBe('user:notification');
    expect(feed.accept?.({ id: '1', type: 'follow' } as Notification)).toBe(false);
    expect(feed.accept?.({ id: '2', type: 'mention' } as Notification)).toBe(true);
  });
});
