import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { Client } from '../api/client';
import { translate } from '../i18n';
import { SignInError, completeSignIn } from './oauth';
import { stored } from './storage';

class MemoryStorage {
  private data = new Map<string, string>();
  getItem(key: string) {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.data.set(key, value);
  }
  removeItem(key: string) {
    this.data.delete(key);
  }
}

const appA = { client_id: 'a-id', client_secret: 'a-secret', redirect_uri: 'http://localhost/web/callback' };
const appB = { client_id: 'b-id', client_secret: 'b-secret', redirect_uri: 'http://localhost/web/callback' };

function tokenServer() {
  const bodies: Record<string, string>[] = [];
  const fetcher = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    bodies.push(JSON.parse(String(init?.body)));
    return new Response(JSON.stringify({ access_token: 'tok', token_type: 'Bearer', scope: 'read', created_at: 0 }), {
      status: 200,
    });
  });
  return { client: new Client({ fetch: fetcher as unknown as typeof fetch }), bodies };
}

describe('completeSignIn', () => {
  beforeEach(() => {
    vi.stubGlobal('localStorage', new MemoryStorage());
    vi.stubGlobal('sessionStorage', new MemoryStorage());
  });
  afterEach(() => vi.unstubAllGlobals());

  it('exchanges the code with the app this sign-in started with, even if another tab registered one since', async () => {
    stored.setPending({ verifier: 'v', state: 's', returnTo: '/web/notifications', ...appA });
    // Another tab registered its own app meanwhile.
    stored.setApp(appB);
    const { client, bodies } = tokenServer();
    await expect(completeSignIn(client, '?code=c&state=s')).resolves.toBe('/web/notifications');
    expect(bodies[0]).toMatchObject({ client_id: 'a-id', client_secret: 'a-secret', code: 'c', code_verifier: 'v' });
    expect(stored.token()).toBe('tok');
    // Sign-out revokes with the app that issued the token.
    expect(stored.app()).toEqual(appA);
    expect(stored.pending()).toBeNull();
  });

  it('refuses a stale state or a pending record without its app', async () => {
    const { client, bodies } = tokenServer();
    stored.setPending({ verifier: 'v', state: 's', returnTo: '/', ...appA });
    await expect(completeSignIn(client, '?code=c&state=other')).rejects.toThrow(translate('en', 'common.signin_stale'));
    sessionStorage.setItem('loggia.signin', JSON.stringify({ verifier: 'v', state: 's', returnTo: '/' }));
    await expect(completeSignIn(client, '?code=c&state=s')).rejects.toBeInstanceOf(SignInError);
    expect(bodies).toHaveLength(0);
  });

  it('never shows the error text from the link', async () => {
    const { client } = tokenServer();
    await expect(
      completeSignIn(client, '?error=access_denied&error_description=Call+0800+to+unlock'),
    ).rejects.toThrow(translate('en', 'common.signin_denied'));
    await expect(completeSignIn(client, '?error=server_error&error_description=Visit+evil.example')).rejects.toThrow(
      translate('en', 'common.signin_failed'),
    );
  });
});
