import type en from '../en/timeline';

// Italian strings of the timeline pages (every English key must be here).
export default {
  'timeline.new_posts.one': 'Mostra {count} nuovo post',
  'timeline.new_posts.other': 'Mostra {count} nuovi post',
  'timeline.home_empty': 'Ancora niente. Segui i colleghi per vedere i loro post nella tua timeline.',
  'timeline.tag_label': 'Post con #{tag}',
  'timeline.tag_empty': 'Ancora nessun post con #{tag}.',
  'timeline.bookmarks_empty': 'Non hai ancora salvato nessun post nei segnalibri.',
  'timeline.favourites_empty': 'Non hai ancora aggiunto nessun post ai preferiti.',
  'timeline.thread_title': 'Post',
  'timeline.thread_not_found': 'Questo post non esiste, oppure non hai il permesso di vederlo.',
  'timeline.ancestors': 'Prima nella conversazione',
  'timeline.reply_heading': 'Rispondi',
  'timeline.replies': 'Risposte',
  'timeline.no_replies': 'Ancora nessuna risposta.',
  'timeline.back_home': 'Torna alla Home',
} satisfies Record<keyof typeof en, string>;
