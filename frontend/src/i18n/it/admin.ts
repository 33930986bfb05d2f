import type en from '../en/admin';

// Italian strings of the admin pages (every English key must be here).
export default {} satisfies Record<keyof typeof en, string>;
