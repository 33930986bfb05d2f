import { describe, expect, it, vi } from 'vitest';

import { ApiError, Client, NetworkError, encodeQuery, seg } from './client';
import { accounts } from './accounts';
import { statuses } from './statuses';

/** A fetch that records its calls and answers `response` (or throws `error`). */
function fakeFetch(answer: () => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetcher = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init: init ?? {} });
    return answer();
  });
  return { fetcher: fetcher as unknown as typeof fetch, calls };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

describe('encodeQuery', () => {
  it('is empty without parameters', () => {
    expect(encodeQuery(undefined)).toBe('');
    expect(encodeQuery({})).toBe('');
    expect(encodeQuery({ a: undefined, b: null, c: '' })).toBe('');
  });

  it('encodes scalars and escapes', () => {
    expect(encodeQuery({ q: '@bob@other.example', limit: 20, resolve: true })).toBe(
      '?q=%40bob%40other.example&limit=20&resolve=true',
    );
    expect(encodeQuery({ q: 'a b&c' })).toBe('?q=a+b%26c');
  });

  it('repeats arrays as `key[]`', () => {
    expect(encodeQuery({ 'id': ['1', '2'], types: ['mention'] })).toBe('?id%5B%5D=1&id%5B%5D=2&types%5B%5D=mention');
    expect(encodeQuery({ id: [] })).toBe('');
  });

  it('keeps false and zero', () => {
    expect(encodeQuery({ local: false, offset: 0 })).toBe('?local=false&offset=0');
  });
});

describe('seg', () => {
  it('encodes one path segment', () => {
    expect(seg('123')).toBe('123');
    expect(seg('1/../../admin')).toBe('1%2F..%2F..%2Fadmin');
    expect(seg('x?y#z')).toBe('x%3Fy%23z');
  });

  it('keeps server ids inside their segment in API paths', async () => {
    const { fetcher, calls } = fakeFetch(() => json({ id: '1' }));
    const client = new Client({ fetch: fetcher });
    await statuses.favourite(client, '1/../../admin', true);
    await accounts.follow(client, 'a?b');
    expect(calls[0].url).toBe('/api/v1/statuses/1%2F..%2F..%2Fadmin/favourite');
    expect(calls[1].url).toBe('/api/v1/accounts/a%3Fb/follow');
  });
});

describe('Client', () => {
  it('sends the token, the query and a JSON body', async () => {
    const { fetcher, calls } = fakeFetch(() => json({ ok: true }));
    const client = new Client({ base: 'https://loggia.example', token: 'secret', fetch: fetcher });
    await expect(client.post('/api/v1/markers', { notifications: { last_read_id: '5' } })).resolves.toEqual({ ok: true });
    await client.get('/api/v1/accounts/relationships', { id: ['1', '2'] });
    expect(calls[0].url).toBe('https://loggia.example/api/v1/markers');
    expect(calls[0].init.method).toBe('POST');
    const headers = calls[0].init.headers as Record<string, string>;
    expect(headers.Authorization).toBe('Bearer secret');
    expect(headers['Content-Type']).toBe('application/json');
    expect(calls[0].init.body).toBe('{"notifications":{"last_read_id":"5"}}');
    expect(calls[1].url).toBe('https://loggia.example/api/v1/accounts/relationships?id%5B%5D=1&id%5B%5D=2');
    expect(calls[1].init.body).toBeUndefined();
  });

  it('sends FormData untouched, leaving the boundary to fetch', async () => {
    const { fetcher, calls } = fakeFetch(() => json({ id: '1' }));
    const form = new FormData();
    form.append('display_name', 'Bob');
    await new Client({ fetch: fetcher }).upload('PATCH', '/api/v1/accounts/update_credentials', form);
    expect(calls[0].init.method).toBe('PATCH');
    expect(calls[0].init.body).toBe(form);
    expect((calls[0].init.headers as Record<string, string>)['Content-Type']).toBeUndefined();
  });

  it('does not send Authorization without a token', async () => {
    const { fetcher, calls } = fakeFetch(() => json({}));
    await new Client({ fetch: fetcher }).get('/api/v2/instance');
    expect((calls[0].init.headers as Record<string, string>).Authorization).toBeUndefined();
  });

  it("maps Mastodon's {error} to ApiError with status, message and details", async () => {
    const details = { display_name: [{ error: 'ERR_TOO_LONG', description: 'is too long' }] };
    const { fetcher } = fakeFetch(() => json({ error: 'Validation failed', details }, 422));
    const error = await new Client({ fetch: fetcher }).get('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 422, message: 'Validation failed', details });
  });

  it('describes an error whose body is not JSON by its status', async () => {
    const { fetcher } = fakeFetch(() => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const error = await new Client({ fetch: fetcher }).get('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 502, message: '502 Bad Gateway' });
  });

  it('refuses a successful answer that is not JSON', async () => {
    const { fetcher } = fakeFetch(() => new Response('<html></html>', { status: 200 }));
    await expect(new Client({ fetch: fetcher }).get('/x')).rejects.toMatchObject({ status: 200 });
  });

  it('accepts an empty successful answer', async () => {
    const { fetcher } = fakeFetch(() => new Response(null, { status: 200 }));
    await expect(new Client({ fetch: fetcher }).post('/x')).resolves.toBeNull();
  });

  it('calls onUnauthorized on 401 when it had a token', async () => {
    const onUnauthorized = vi.fn();
    const { fetcher } = fakeFetch(() => json({ error: 'The access token is invalid' }, 401));
    const client = new Client({ token: 'old', fetch: fetcher, onUnauthorized });
    await expect(client.get('/api/v1/accounts/verify_credentials')).rejects.toMatchObject({
      status: 401,
      message: 'The access token is invalid',
    });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('does not call onUnauthorized on other errors or without a token', async () => {
    const onUnauthorized = vi.fn();
    const forbidden = fakeFetch(() => json({ error: 'This action is not allowed' }, 403));
    await new Client({ token: 't', fetch: forbidden.fetcher, onUnauthorized }).get('/x').catch(() => undefined);
    const anonymous = fakeFetch(() => json({ error: 'The access token is invalid' }, 401));
    await new Client({ fetch: anonymous.fetcher, onUnauthorized }).get('/x').catch(() => undefined);
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('turns a failed fetch into NetworkError, keeping the cause', async () => {
    const cause = new TypeError('Failed to fetch');
    const { fetcher } = fakeFetch(() => {
      throw cause;
    });
    const error = await new Client({ fetch: fetcher }).get('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).cause).toBe(cause);
  });

  it('page() returns the items and the Link header as queries', async () => {
    const link =
      '<https://loggia.example/api/v1/notifications?max_id=10&types%5B%5D=mention>; rel="next", ' +
      '<https://loggia.example/api/v1/notifications?min_id=20>; rel="prev"';
    const { fetcher } = fakeFetch(() => json([{ id: '20' }, { id: '10' }], 200, { Link: link }));
    const page = await new Client({ fetch: fetcher }).page<{ id: string }>('/api/v1/notifications');
    expect(page.items.map((n) => n.id)).toEqual(['20', '10']);
    expect(page.links).toEqual({ next: { max_id: '10', 'types[]': 'mention' }, prev: { min_id: '20' } });
  });

  it('page() without a Link header has no links', async () => {
    const { fetcher } = fakeFetch(() => json([]));
    await expect(new Client({ fetch: fetcher }).page('/x')).resolves.toEqual({ items: [], links: {} });
  });
});
