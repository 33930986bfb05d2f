// A client for Mastodon's streaming API: one WebSocket per session at
// `${streaming}/api/v1/streaming`, the token as its subprotocol (as masto.js
// and Mastodon's web UI send it), every stream multiplexed over it with
// `subscribe` / `unsubscribe` messages. The socket opens with the first
// subscriber, comes back with capped exponential backoff when it drops (and
// subscribes everything again), and closes when nobody listens any more.
// Callers hear whether it is connected, to poll while it is not.
//
// The WebSocket constructor is injected so that this runs under node in tests.

import type { Notification, Status } from './api/types';

export type StreamName =
  | 'user'
  | 'user:notification'
  | 'public'
  | 'public:local'
  | 'public:remote'
  | 'hashtag'
  | 'hashtag:local'
  | 'list'
  | 'direct';

export interface StreamSpec {
  stream: StreamName;
  /** For `hashtag` and `hashtag:local`, without the `#`. */
  tag?: string;
  /** For `list`: the list id. */
  list?: string;
}

/** The events the UI uses; the others (filters_changed, announcement…) are ignored. */
export type StreamEvent =
  | { event: 'update'; payload: Status }
  | { event: 'status.update'; payload: Status }
  | { event: 'notification'; payload: Notification }
  | { event: 'delete'; payload: string };

/** The part of the browser's WebSocket this uses. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketConstructor = new (url: string, protocols?: string | string[]) => SocketLike;

const OPEN = 1;
export const BACKOFF_MIN_MS = 1_000;
export const BACKOFF_MAX_MS = 30_000;
/** Up to this share of the delay is added at random, so clients do not come back in step. */
const JITTER = 0.2;
/** A socket open at least this long counts as working: the next drop starts the backoff over. */
const STABLE_MS = 10_000;
/** The socket stays open this long after the last subscriber leaves: moving between pages reuses it. */
const LINGER_MS = 3_000;

/** `${base}/api/v1/streaming` with http(s) turned into ws(s); null for a base that is not a URL. */
export function streamingEndpoint(base: string): string | null {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return null;
  }
  const scheme = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' }[url.protocol];
  if (!scheme) return null;
  return `${scheme}//${url.host}${url.pathname.replace(/\/+$/, '')}/api/v1/streaming`;
}

/** The socket delay before reconnect attempt `attempt` (0-based): 1 s, 2 s, 4 s… up to 30 s, plus jitter. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
  return Math.min(BACKOFF_MAX_MS, Math.round(base * (1 + JITTER * random())));
}

function specKey(spec: StreamSpec): string {
  const param = spec.stream.startsWith('hashtag') ? spec.tag?.toLowerCase() : spec.stream === 'list' ? spec.list : '';
  return `${spec.stream}\u0000${param ?? ''}`;
}

function subscribeMessage(type: 'subscribe' | 'unsubscribe', spec: StreamSpec): string {
  const message: Record<string, string> = { type, stream: spec.stream };
  if (spec.stream.startsWith('hashtag') && spec.tag) message.tag = spec.tag;
  if (spec.stream === 'list' && spec.list) message.list = spec.list;
  return JSON.stringify(message);
}

/** The stream key of an incoming message's `stream` (["hashtag", "Foo"]), or null. */
function messageKey(stream: unknown): string | null {
  if (!Array.isArray(stream) || typeof stream[0] !== 'string') return null;
  const [name, param] = stream as [string, unknown];
  const spec: StreamSpec = { stream: name as StreamName };
  if (typeof param === 'string') {
    if (name.startsWith('hashtag')) spec.tag = param;
    else if (name === 'list') spec.list = param;
  }
  return specKey(spec);
}

/** The event in a message, or null for anything malformed or not used here. */
export function parseMessage(data: unknown): { key: string; event: StreamEvent } | null {
  if (typeof data !== 'string') return null;
  try {
    const message = JSON.parse(data) as { stream?: unknown; event?: unknown; payload?: unknown };
    const key = messageKey(message?.stream);
    if (key === null || typeof message.payload !== 'string') return null;
    switch (message.event) {
      case 'delete':
        return { key, event: { event: 'delete', payload: message.payload } };
      case 'update':
      case 'status.update':
      case 'notification': {
        const payload = JSON.parse(message.payload) as unknown;
        if (!payload || typeof payload !== 'object' || typeof (payload as { id?: unknown }).id !== 'string') return null;
        return { key, event: { event: message.event, payload } as StreamEvent };
      }
      default:
        return null;
    }
  } catch {
    return null;
  }
}

interface Subscriber {
  key: string;
  onEvent: (event: StreamEvent) => void;
  onAvailability?: (available: boolean) => void;
}

export interface StreamingOptions {
  /** The server's `configuration.urls.streaming` (wss://host, or http(s)://host). */
  baseUrl: string;
  token: string;
  WebSocket: SocketConstructor;
  random?: () => number;
  lingerMs?: number;
}

export class StreamingClient {
  private readonly url: string | null;
  private socket: SocketLike | null = null;
  private readonly subscribers = new Set<Subscriber>();
  private attempts = 0;
  private openedAt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private lingerTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private connected = false;

  constructor(private readonly options: StreamingOptions) {
    this.url = streamingEndpoint(options.baseUrl);
  }

  /** Whether the socket is open now (events flow). */
  get available(): boolean {
    return this.connected;
  }

  /**
   * Listens to one stream until the returned function is called.
   * `onAvailability` hears each change of the connection (true when open).
   */
  subscribe(spec: StreamSpec, onEvent: Subscriber['onEvent'], onAvailability?: Subscriber['onAvailability']): () => void {
    const subscriber: Subscriber = { key: specKey(spec), onEvent, onAvailability };
    if (this.closed || !this.url) return () => undefined;
    const first = !this.hasKey(subscriber.key);
    this.subscribers.add(subscriber);
    clearTimeout(this.lingerTimer);
    if (first && this.connected) this.send(subscribeMessage('subscribe', spec));
    if (!this.socket && this.reconnectTimer === undefined) this.connect();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.subscribers.delete(subscriber);
      if (!this.hasKey(subscriber.key) && this.connected) this.send(subscribeMessage('unsubscribe', spec));
      if (this.subscribers.size === 0) this.linger();
    };
  }

  /** Signs out: closes the socket and accepts no more subscribers. */
  close(): void {
    this.closed = true;
    this.subscribers.clear();
    this.shutDown();
  }

  private hasKey(key: string): boolean {
    for (const s of this.subscribers) if (s.key === key) return true;
    return false;
  }

  /** One spec per subscribed key, to subscribe again after a reconnect. */
  private specs(): StreamSpec[] {
    const byKey = new Map<string, StreamSpec>();
    for (const s of this.subscribers) {
      const [stream, param] = s.key.split('\u0000') as [StreamName, string];
      byKey.set(s.key, { stream, tag: stream.startsWith('hashtag') ? param : undefined, list: stream === 'list' ? param : undefined });
    }
    return [...byKey.values()];
  }

  private linger(): void {
    const ms = this.options.lingerMs ?? LINGER_MS;
    if (ms <= 0) return this.shutDown();
    clearTimeout(this.lingerTimer);
    this.lingerTimer = setTimeout(() => {
      if (this.subscribers.size === 0) this.shutDown();
    }, ms);
  }

  private shutDown(): void {
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.lingerTimer);
    this.reconnectTimer = undefined;
    const socket = this.socket;
    this.socket = null;
    this.attempts = 0;
    if (socket) {
      socket.onopen = socket.onclose = socket.onerror = socket.onmessage = null;
      try {
        socket.close(1000);
      } catch {
        // Already closing.
      }
    }
    this.setConnected(false);
  }

  private connect(): void {
    this.reconnectTimer = undefined;
    if (this.closed || !this.url || this.subscribers.size === 0) return;
    let socket: SocketLike;
    try {
      socket = new this.options.WebSocket(this.url, this.options.token);
    } catch {
      // A URL or protocol the browser refuses: keep polling, try again later.
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.openedAt = Date.now();
      for (const spec of this.specs()) this.send(subscribeMessage('subscribe', spec));
      this.setConnected(true);
    };
    socket.onmessage = ({ data }) => this.dispatch(data);
    socket.onerror = () => undefined; // A close event follows.
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.openedAt && Date.now() - this.openedAt >= STABLE_MS) this.attempts = 0;
      this.openedAt = 0;
      this.setConnected(false);
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.closed || this.subscribers.size === 0) return;
    const delay = backoffDelay(this.attempts++, this.options.random);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private send(data: string): void {
    if (this.socket?.readyState === OPEN) this.socket.send(data);
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    for (const s of [...this.subscribers]) s.onAvailability?.(connected);
  }

  private dispatch(data: unknown): void {
    const parsed = parseMessage(data);
    if (!parsed) return;
    for (const s of [...this.subscribers]) if (s.key === parsed.key) s.onEvent(parsed.event);
  }
}

/**
 * The session's streaming client, or null when the server offers no
 * streaming (`configuration.urls.streaming` is null) or the browser has no
 * WebSocket: then lists poll.
 */
export function createStreaming(
  baseUrl: string | null | undefined,
  token: string | null,
  WebSocket: SocketConstructor | undefined = globalThis.WebSocket as SocketConstructor | undefined,
): StreamingClient | null {
  if (!baseUrl || !token || !WebSocket || !streamingEndpoint(baseUrl)) return null;
  return new StreamingClient({ baseUrl, token, WebSocket });
}
