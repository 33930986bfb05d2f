import type en from '../en/timeline';

// Italian strings of the timeline pages (every English key must be here).
export default {
  'timeline.new_posts.one': 'Mostra {count} nuovo post',
  'timeline.new_posts.other': 'Mostra {count} nuovi post',
} satisfies Record<keyof typeof en, string>;
