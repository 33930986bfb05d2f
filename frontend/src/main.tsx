import { render } from 'preact';

import { App } from './app';
import { pickLocale, setLocale } from './i18n';
import './styles.css';

// The browser's language until the account's is known (the sign-in
// callback page shows its messages before any session exists).
setLocale(pickLocale(navigator.languages));

render(<App />, document.getElementById('app')!);
