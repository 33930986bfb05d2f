// English strings of the compose pages. Keys are namespaced "compose.*".
export default {} as const;
