import type en from '../en/search';

// Italian strings of the search page (every English key must be here).
export default {
  'search.title': 'Cerca',
  'search.label': 'Cerca persone, hashtag e post',
  'search.placeholder': 'Nome, #hashtag, parole o @utente@server',
  'search.submit': 'Cerca',
  'search.hint': 'Per trovare qualcuno su un altro server, scrivi il suo indirizzo completo, come @utente@partner.example.',
  'search.searching': 'Ricerca in corso…',
  'search.no_results': 'Nessun risultato per «{q}»',
  'search.count.one': '{count} risultato',
  'search.count.other': '{count} risultati',
  'search.people': 'Persone',
  'search.hashtags': 'Hashtag',
  'search.posts': 'Post',
} satisfies Record<keyof typeof en, string>;
