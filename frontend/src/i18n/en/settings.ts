// English strings of the settings pages. Keys are namespaced "settings.*".
export default {} as const;
