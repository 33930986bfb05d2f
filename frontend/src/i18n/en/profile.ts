// English strings of the profile pages. Keys are namespaced "profile.*".
export default {} as const;
