import type en from '../en/profile';

// Italian strings of the profile pages (every English key must be here).
export default {} satisfies Record<keyof typeof en, string>;
