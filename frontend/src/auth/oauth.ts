// Signing in the way any Mastodon app does: register an app once, send the
// browser to /oauth/authorize with a PKCE challenge, exchange the code for a
// token at /oauth/token. No private door: the server treats this UI like
// Elk or Tusky.

import { type Client } from '../api/client';
import type { Application, Token } from '../api/types';
import { t } from '../i18n';
import { challengeFor, randomToken } from './pkce';
import { type StoredApp, stored } from './storage';

export const SCOPES = 'read write follow push admin:read admin:write';
export const CALLBACK_PATH = '/web/callback';

function redirectUri(): string {
  return `${location.origin}${CALLBACK_PATH}`;
}

async function ensureApp(client: Client): Promise<StoredApp> {
  const existing = stored.app();
  if (existing && existing.redirect_uri === redirectUri()) return existing;
  const app = await client.post<Application>('/api/v1/apps', {
    client_name: 'Loggia web',
    redirect_uris: redirectUri(),
    scopes: SCOPES,
    website: location.origin,
  });
  const saved = { client_id: app.client_id, client_secret: app.client_secret, redirect_uri: redirectUri() };
  stored.setApp(saved);
  return saved;
}

/** Starts signing in: ends with the browser on the server's sign-in page. */
export async function beginSignIn(client: Client, returnTo = '/'): Promise<void> {
  const app = await ensureApp(client);
  const verifier = randomToken();
  const state = randomToken();
  // The app goes with the exchange: another tab registering meanwhile
  // replaces the stored app, not this sign-in's.
  stored.setPending({ verifier, state, returnTo, ...app });
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: app.client_id,
    redirect_uri: app.redirect_uri,
    scope: SCOPES,
    state,
    code_challenge: await challengeFor(verifier),
    code_challenge_method: 'S256',
  });
  location.assign(`/oauth/authorize?${params}`);
}

export class SignInError extends Error {}

/** Finishes signing in on the callback page; returns where to go next. */
export async function completeSignIn(client: Client, search: string): Promise<string> {
  const params = new URLSearchParams(search);
  const pending = stored.pending();
  stored.clearPending();
  // The server's (or anyone's) error text is not shown: a link can carry any words.
  const error = params.get('error');
  if (error) throw new SignInError(t(error === 'access_denied' ? 'common.signin_denied' : 'common.signin_failed'));
  const code = params.get('code');
  if (!code || !pending?.client_id || params.get('state') !== pending.state) {
    throw new SignInError(t('common.signin_stale'));
  }
  const app = { client_id: pending.client_id, client_secret: pending.client_secret, redirect_uri: pending.redirect_uri };
  const token = await client.post<Token>('/oauth/token', {
    grant_type: 'authorization_code',
    code,
    client_id: app.client_id,
    client_secret: app.client_secret,
    redirect_uri: app.redirect_uri,
    code_verifier: pending.verifier,
  });
  // The app that issued the token is the one to revoke it with.
  stored.setApp(app);
  stored.setToken(token.access_token);
  return pending.returnTo.startsWith('/') && !pending.returnTo.startsWith('//') ? pending.returnTo : '/';
}

/**
 * Ends the server's sign-in session and revokes the token. Both are tried
 * whatever happens to the other; the token is forgotten locally in any
 * case. Resolves to false if the token may still be valid on the server.
 */
export async function signOut(client: Client): Promise<boolean> {
  const app = stored.app();
  const token = client.token;
  if (!token) return true;
  // First the cookie session: the bearer token proves the request comes from
  // this app, not a forged form, so it must still be valid.
  await client.request('POST', '/auth/sign_out').catch(() => undefined);
  let revoked = false;
  if (app) {
    revoked = await client
      .post('/oauth/revoke', { client_id: app.client_id, client_secret: app.client_secret, token })
      .then(
        () => true,
        () => false,
      );
  }
  stored.clearToken();
  client.token = null;
  return revoked;
}
