import { describe, expect, it } from 'vitest';

import { announceTitle, markPageChange, setSpeaker } from './page-change';

describe('page change announcements', () => {
  it('speaks the title once after a page change, not on the first load or re-renders', () => {
    const spoken: string[] = [];
    const remove = setSpeaker((text) => spoken.push(text));
    announceTitle('Home');
    expect(spoken).toEqual([]);
    markPageChange();
    announceTitle('Notifications');
    announceTitle('Notifications');
    expect(spoken).toEqual(['Notifications']);
    remove();
    markPageChange();
    announceTitle('Search');
    expect(spoken).toEqual(['Notifications']);
  });
});
