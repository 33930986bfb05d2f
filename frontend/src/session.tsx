// Who is signed in: the token, the account, the server's description and the
// user's preferences, loaded once and shared with every page through context.
// A token the server stops accepting, or a sign-out or sign-in in another
// tab, switches this tab over too.

import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';

import { ApiError, Client } from './api/client';
import type { CredentialAccount, Instance, Preferences } from './api/types';
import { signOut as revoke } from './auth/oauth';
import { TOKEN_KEY, stored } from './auth/storage';
import { type Locale, pickLocale, setLocale } from './i18n';
import { type StreamingClient, createStreaming } from './streaming';

export interface Session {
  client: Client;
  me: CredentialAccount;
  instance: Instance;
  preferences: Preferences;
  /** Role permissions as a bit set (Mastodon's `role.permissions`). */
  permissions: bigint;
  /** The shared streaming connection; null when the server offers none (lists poll). */
  streaming: StreamingClient | null;
  refreshMe: () => Promise<void>;
  refreshPreferences: () => Promise<void>;
  signOut: () => Promise<void>;
}

export type SessionState =
  | { kind: 'loading' }
  | { kind: 'anonymous'; client: Client; instance: Instance | null; expired: boolean }
  | { kind: 'ready'; session: Session }
  | { kind: 'error'; error: unknown; retry: () => void; signOut?: () => void };

const Context = createContext<Session | null>(null);

/** The signed-in session; only for components under a signed-in page. */
export function useSession(): Session {
  const session = useContext(Context);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

/** The session's streaming client, if any; null outside a signed-in page too. */
export function useStreaming(): StreamingClient | null {
  return useContext(Context)?.streaming ?? null;
}

export const PERMISSIONS = {
  administrator: 1n,
  viewAuditLog: 1n << 2n,
  manageReports: 1n << 4n,
  manageFederation: 1n << 5n,
  manageSettings: 1n << 6n,
  manageBlocks: 1n << 7n,
  manageUsers: 1n << 10n,
  reviewPosts: 1n << 32n,
} as const;

export function can(session: Pick<Session, 'permissions'>, permission: bigint): boolean {
  return (session.permissions & PERMISSIONS.administrator) !== 0n || (session.permissions & permission) !== 0n;
}

function chooseLocale(me: CredentialAccount | null): Locale {
  return pickLocale([me?.source?.language, ...(typeof navigator !== 'undefined' ? navigator.languages : [])]);
}

export function useSessionState(): SessionState {
  const [state, setState] = useState<SessionState>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  // Each load is one generation; answers of an older one are dropped.
  const generation = useRef(0);
  // The token the tab is using now, to tell other tabs' changes from ours.
  const token = useRef<string | null>(null);

  const load = useCallback(async () => {
    const mine = ++generation.current;
    const current = () => mine === generation.current;
    // Set when the session ends (signed out here, or the token refused), so
    // that the requests still under way do not end it a second time.
    let ended = false;
    let streaming: StreamingClient | null = null;
    const client: Client = new Client({
      token: stored.token(),
      onUnauthorized: () => {
        if (ended || !current()) return;
        ended = true;
        streaming?.close();
        if (stored.token() === client.token) stored.clearToken();
        client.token = null;
        void anonymous(true);
      },
    });
    token.current = client.token;
    const anonymous = async (expired: boolean) => {
      token.current = null;
      setLocale(chooseLocale(null));
      const instance = await client.get<Instance>('/api/v2/instance').catch(() => null);
      if (current()) setState({ kind: 'anonymous', client, instance, expired });
    };
    if (!client.token) return anonymous(false);
    try {
      const [me, instance, preferences] = await Promise.all([
        client.get<CredentialAccount>('/api/v1/accounts/verify_credentials'),
        client.get<Instance>('/api/v2/instance'),
        client.get<Preferences>('/api/v1/preferences'),
      ]);
      if (!current() || ended) return;
      setLocale(chooseLocale(me));
      streaming = createStreaming(instance.configuration?.urls?.streaming, client.token);
      const session: Session = {
        client,
        me,
        instance,
        preferences,
        permissions: BigInt(me.role?.permissions || '0'),
        streaming,
        refreshMe: async () => {
          const fresh = await client.get<CredentialAccount>('/api/v1/accounts/verify_credentials');
          if (!current()) return;
          setLocale(chooseLocale(fresh));
          setState({ kind: 'ready', session: { ...session, me: fresh } });
          session.me = fresh;
        },
        refreshPreferences: async () => {
          session.preferences = await client.get<Preferences>('/api/v1/preferences');
          if (current()) setState({ kind: 'ready', session: { ...session } });
        },
        signOut: async () => {
          ended = true;
          streaming?.close();
          await revoke(client).catch(() => undefined);
          await anonymous(false);
          history.replaceState(null, '', '/');
        },
      };
      setState({ kind: 'ready', session });
    } catch (error) {
      if (!current() || ended) return;
      if (error instanceof ApiError && error.status === 401) {
        stored.clearToken();
        client.token = null;
        return anonymous(true);
      }
      const retry = () => setAttempt((n) => n + 1);
      if (error instanceof ApiError && error.status === 403) {
        // The token is fine but the account may not be used (disabled, not
        // approved yet): say why, and offer to sign out rather than retry only.
        const signOut = () => {
          ended = true;
          void revoke(client)
            .catch(() => undefined)
            .finally(() => {
              if (stored.token() === client.token) stored.clearToken();
              client.token = null;
              void anonymous(false);
            });
        };
        setState({ kind: 'error', error, retry, signOut });
        return;
      }
      setState({ kind: 'error', error, retry });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load, attempt]);

  // Another tab signed out (the token is gone) or in (a new one): follow it.
  useEffect(() => {
    const onStorage = (event: StorageEvent) => {
      if (event.key !== TOKEN_KEY && event.key !== null) return;
      if (stored.token() !== token.current) setAttempt((n) => n + 1);
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, []);

  return state;
}

export function SessionProvider({ session, children }: { session: Session; children: ComponentChildren }) {
  const value = useMemo(() => session, [session]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}
