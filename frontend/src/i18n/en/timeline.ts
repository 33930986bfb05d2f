// English strings of the timeline pages. Keys are namespaced "timeline.*".
export default {
  'timeline.new_posts.one': 'Show {count} new post',
  'timeline.new_posts.other': 'Show {count} new posts',
} as const;
