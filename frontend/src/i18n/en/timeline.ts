// English strings of the timeline pages. Keys are namespaced "timeline.*".
export default {
  'timeline.new_posts.one': 'Show {count} new post',
  'timeline.new_posts.other': 'Show {count} new posts',
  'timeline.home_empty': 'Nothing here yet. Follow colleagues to see their posts in your home timeline.',
  'timeline.tag_label': 'Posts tagged #{tag}',
  'timeline.tag_empty': 'No posts tagged #{tag} yet.',
  'timeline.bookmarks_empty': 'You have not bookmarked any posts yet.',
  'timeline.favourites_empty': 'You have not favourited any posts yet.',
  'timeline.thread_title': 'Post',
  'timeline.thread_not_found': 'This post does not exist, or you may not see it.',
  'timeline.ancestors': 'Earlier in the conversation',
  'timeline.reply_heading': 'Reply',
  'timeline.replies': 'Replies',
  'timeline.no_replies': 'No replies yet.',
  'timeline.back_home': 'Back to Home',
} as const;
