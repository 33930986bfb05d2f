import type en from '../en/notifications';

// Italian strings of the notifications pages (every English key must be here).
export default {} satisfies Record<keyof typeof en, string>;
