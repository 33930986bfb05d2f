// English strings of the admin pages. Keys are namespaced "admin.*".
export default {} as const;
