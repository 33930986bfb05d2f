import type en from '../en/compose';

// Italian strings of the compose pages (every English key must be here).
export default {} satisfies Record<keyof typeof en, string>;
