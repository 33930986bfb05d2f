// The one door to the server: every call the UI makes goes through `Client`,
// to the public Mastodon API or Loggia's documented additive endpoints.
// Errors come back as `ApiError` (the server answered, with Mastodon's
// `{"error": "..."}`) or `NetworkError` (it could not be reached).

import { type PageLinks, parseLink } from './link';

export type Query = Record<string, string | number | boolean | undefined | null | string[]>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export class NetworkError extends Error {
  constructor(override readonly cause?: unknown) {
    super('The server could not be reached');
    this.name = 'NetworkError';
  }
}

export interface Page<T> {
  items: T[];
  links: PageLinks;
}

export type Body =
  | { json: unknown }
  | { form: FormData }
  | undefined;

export interface ClientOptions {
  /** Origin of the Loggia server; '' for the page's own. */
  base?: string;
  token?: string | null;
  fetch?: typeof fetch;
  /** Called when the server says the token is no longer valid. */
  onUnauthorized?: () => void;
}

export function encodeQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) {
      for (const item of value) params.append(`${key}[]`, item);
    } else {
      params.append(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * One path segment from a route parameter or a server's id: encoded, so an
 * id like `1/../../admin` or `x?y` cannot reach another endpoint.
 */
export function seg(value: string): string {
  return encodeURIComponent(value);
}

export class Client {
  readonly base: string;
  token: string | null;
  private readonly fetcher: typeof fetch;
  private readonly onUnauthorized?: () => void;

  constructor(options: ClientOptions = {}) {
    this.base = options.base ?? '';
    this.token = options.token ?? null;
    this.fetcher = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.onUnauthorized = options.onUnauthorized;
  }

  async request<T>(
    method: string,
    path: string,
    options: { query?: Query; body?: Body; headers?: Record<string, string> } = {},
  ): Promise<{ data: T; response: Response }> {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let body: BodyInit | undefined;
    if (options.body && 'json' in options.body) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body.json);
    } else if (options.body && 'form' in options.body) {
      body = options.body.form;
    }
    let response: Response;
    try {
      response = await this.fetcher(`${this.base}${path}${encodeQuery(options.query)}`, {
        method,
        headers,
        body,
        credentials: 'same-origin',
      });
    } catch (error) {
      throw new NetworkError(error);
    }
    const text = await response.text().catch(() => '');
    let data: unknown = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!response.ok) {
      const record = (data ?? {}) as { error?: unknown; details?: unknown };
      const message =
        typeof record.error === 'string' && record.error
          ? record.error
          : `${response.status} ${response.statusText || 'error'}`.trim();
      if (response.status === 401 && this.token) this.onUnauthorized?.();
      throw new ApiError(response.status, message, record.details);
    }
    if (text && data === null) {
      throw new ApiError(response.status, 'The server sent an answer that is not JSON');
    }
    return { data: data as T, response };
  }

  async get<T>(path: string, query?: Query): Promise<T> {
    return (await this.request<T>('GET', path, { query })).data;
  }

  async page<T>(path: string, query?: Query): Promise<Page<T>> {
    const { data, response } = await this.request<T[]>('GET', path, { query });
    return { items: data ?? [], links: parseLink(response.headers.get('Link')) };
  }

  async post<T>(path: string, json?: unknown, headers?: Record<string, string>): Promise<T> {
    const body = json === undefined ? undefined : { json };
    return (await this.request<T>('POST', path, { body, headers })).data;
  }

  async put<T>(path: string, json?: unknown): Promise<T> {
    return (await this.request<T>('PUT', path, { body: json === undefined ? undefined : { json } })).data;
  }

  async patch<T>(path: string, json?: unknown): Promise<T> {
    return (await this.request<T>('PATCH', path, { body: json === undefined ? undefined : { json } })).data;
  }

  async upload<T>(method: string, path: string, form: FormData): Promise<T> {
    return (await this.request<T>(method, path, { body: { form } })).data;
  }

  async del<T>(path: string): Promise<T> {
    return (await this.request<T>('DELETE', path)).data;
  }
}
