import type en from '../en/search';

// Italian strings of the search pages (every English key must be here).
export default {} satisfies Record<keyof typeof en, string>;
