// English strings of the notifications pages. Keys are namespaced "notifications.*".
export default {} as const;
