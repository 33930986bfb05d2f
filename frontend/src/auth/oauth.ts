// Signing in the way any Mastodon app does: register an app once, send the
// browser to /oauth/authorize with a PKCE challenge, exchange the code for a
// token at /oauth/token. No private door: the server treats this UI like
// Elk or Tusky.

import { type Client } from '../api/client';
import type { Application, Token } from '../api/types';
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
  stored.setPending({ verifier, state, returnTo });
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
  const app = stored.app();
  stored.clearPending();
  const error = params.get('error_description') ?? params.get('error');
  if (error) throw new SignInError(error);
  const code = params.get('code');
  if (!code || !pending || !app || params.get('state') !== pending.state) {
    throw new SignInError('This sign-in link is stale or was opened in another tab. Please sign in again.');
  }
  const token = await client.post<Token>('/oauth/token', {
    grant_type: 'authorization_code',
    code,
    client_id: app.client_id,
    client_secret: app.client_secret,
    redirect_uri: app.redirect_uri,
    code_verifier: pending.verifier,
  });
  stored.setToken(token.access_token);
  return pending.returnTo.startsWith('/') && !pending.returnTo.startsWith('//') ? pending.returnTo : '/';
}

/** Revokes the token and ends the server's sign-in session as well. */
export async function signOut(client: Client): Promise<void> {
  const app = stored.app();
  const token = client.token;
  try {
    if (token) {
      // The bearer token proves the request comes from this app, not a forged form.
      await client.request('POST', '/auth/sign_out', { headers: { Accept: 'application/json' } });
    }
    if (app && token) {
      await client.post('/oauth/revoke', { client_id: app.client_id, client_secret: app.client_secret, token });
    }
  } finally {
    stored.clearToken();
    client.token = null;
  }
}
