// English strings of the search pages. Keys are namespaced "search.*".
export default {} as const;
