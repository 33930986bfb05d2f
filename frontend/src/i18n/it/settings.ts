import type en from '../en/settings';

// Italian strings of the settings pages (every English key must be here).
export default {} satisfies Record<keyof typeof en, string>;
