// What the browser remembers between visits: the registered app and the
// access token (localStorage), and the PKCE exchange in flight
// (sessionStorage, so another tab cannot pick it up).

export interface StoredApp {
  client_id: string;
  client_secret: string;
  redirect_uri: string;
}

/** A sign-in under way in this tab, with the app it was started with. */
export interface PendingSignIn extends StoredApp {
  verifier: string;
  state: string;
  returnTo: string;
}

const APP = 'loggia.app';
const TOKEN = 'loggia.token';
/** The localStorage key of the token, for `storage` events from other tabs. */
export const TOKEN_KEY = TOKEN;
const PENDING = 'loggia.signin';

function read<T>(storage: Storage, key: string): T | null {
  try {
    const text = storage.getItem(key);
    return text ? (JSON.parse(text) as T) : null;
  } catch {
    return null;
  }
}

export const stored = {
  app: (): StoredApp | null => read<StoredApp>(localStorage, APP),
  setApp: (app: StoredApp) => localStorage.setItem(APP, JSON.stringify(app)),
  token: (): string | null => localStorage.getItem(TOKEN),
  setToken: (token: string) => localStorage.setItem(TOKEN, token),
  clearToken: () => localStorage.removeItem(TOKEN),
  pending: (): PendingSignIn | null => read<PendingSignIn>(sessionStorage, PENDING),
  setPending: (pending: PendingSignIn) => sessionStorage.setItem(PENDING, JSON.stringify(pending)),
  clearPending: () => sessionStorage.removeItem(PENDING),
};
