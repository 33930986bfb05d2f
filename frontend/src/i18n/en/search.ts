// English strings of the search page. Keys are namespaced "search.*".
export default {
  'search.title': 'Search',
  'search.label': 'Search for people, hashtags and posts',
  'search.placeholder': 'Name, #hashtag, words or @user@server',
  'search.submit': 'Search',
  'search.hint': 'To find someone on another server, type their full address, like @user@partner.example.',
  'search.searching': 'Searching…',
  'search.no_results': 'Nothing found for “{q}”',
  'search.count.one': '{count} result',
  'search.count.other': '{count} results',
  'search.people': 'People',
  'search.hashtags': 'Hashtags',
  'search.posts': 'Posts',
} as const;
