import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { watchLive } from './live';
import { type SocketLike, StreamingClient, type StreamEvent, backoffDelay, createStreaming, streamingEndpoint } from './streaming';

/** A WebSocket stand-in: records what is sent; the test opens, closes and feeds it. */
class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: unknown[] = [];
  closedWith: number | undefined;
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data));
  }
  close(code?: number) {
    this.closedWith = code;
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({});
  }
  receive(data: unknown) {
    this.onmessage?.({ data: typeof data === 'string' ? data : JSON.stringify(data) });
  }
}

const last = () => FakeSocket.all[FakeSocket.all.length - 1];
const status = (id: string) => ({ id, content: `<p>${id}</p>`, reblog: null });
const client = (options: { lingerMs?: number } = {}) =>
  new StreamingClient({ baseUrl: 'wss://loggia.test', token: 'tok', WebSocket: FakeSocket, random: () => 0, lingerMs: 0, ...options });

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('streamingEndpoint', () => {
  it('builds the socket URL from http, https and wss bases', () => {
    expect(streamingEndpoint('https://loggia.test')).toBe('wss://loggia.test/api/v1/streaming');
    expect(streamingEndpoint('http://localhost:3000/')).toBe('ws://localhost:3000/api/v1/streaming');
    expect(streamingEndpoint('wss://stream.loggia.test')).toBe('wss://stream.loggia.test/api/v1/streaming');
    expect(streamingEndpoint('ftp://x')).toBeNull();
    expect(streamingEndpoint('not a url')).toBeNull();
  });
});

describe('StreamingClient', () => {
  it('passes the token as the protocol and queues subscriptions until the socket opens', () => {
    const streaming = client();
    streaming.subscribe({ stream: 'user' }, () => undefined);
    streaming.subscribe({ stream: 'hashtag', tag: 'Rust' }, () => undefined);
    expect(FakeSocket.all).toHaveLength(1);
    expect(last().url).toBe('wss://loggia.test/api/v1/streaming');
    expect(last().protocols).toBe('tok');
    expect(last().sent).toEqual([]);
    last().open();
    expect(last().sent).toEqual([
      { type: 'subscribe', stream: 'user' },
      { type: 'subscribe', stream: 'hashtag', tag: 'rust' },
    ]);
    // Once open, a new stream is subscribed at once; the same one again is not.
    streaming.subscribe({ stream: 'public:local' }, () => undefined);
    streaming.subscribe({ stream: 'user' }, () => undefined);
    expect(last().sent.slice(2)).toEqual([{ type: 'subscribe', stream: 'public:local' }]);
  });

  it('parses payloads and dispatches to the matching subscribers only', () => {
    const streaming = client();
    const seen: Record<string, StreamEvent[]> = { user: [], rust: [], go: [], notes: [] };
    streaming.subscribe({ stream: 'user' }, (e) => seen.user.push(e));
    streaming.subscribe({ stream: 'hashtag', tag: 'rust' }, (e) => seen.rust.push(e));
    streaming.subscribe({ stream: 'hashtag', tag: 'go' }, (e) => seen.go.push(e));
    streaming.subscribe({ stream: 'user:notification' }, (e) => seen.notes.push(e));
    last().open();
    last().receive({ stream: ['user'], event: 'update', payload: JSON.stringify(status('1')) });
    last().receive({ stream: ['hashtag', 'Rust'], event: 'update', payload: JSON.stringify(status('2')) });
    last().receive({ stream: ['user'], event: 'delete', payload: '1' });
    last().receive({ stream: ['user'], event: 'status.update', payload: JSON.stringify(status('3')) });
    const note = { id: '9', type: 'mention', status: status('4') };
    last().receive({ stream: ['user:notification'], event: 'notification', payload: JSON.stringify(note) });
    expect(seen.user).toEqual([
      { event: 'update', payload: status('1') },
      { event: 'delete', payload: '1' },
      { event: 'status.update', payload: status('3') },
    ]);
    expect(seen.rust).toEqual([{ event: 'update', payload: status('2') }]);
    expect(seen.go).toEqual([]);
    expect(seen.notes).toEqual([{ event: 'notification', payload: note }]);
  });

  it('ignores malformed and unknown messages', () => {
    const streaming = client();
    const seen: StreamEvent[] = [];
    streaming.subscribe({ stream: 'user' }, (e) => seen.push(e));
    last().open();
    last().receive('not json');
    last().receive({ event: 'update', payload: JSON.stringify(status('1')) });
    last().receive({ stream: ['user'], event: 'update', payload: '{broken' });
    last().receive({ stream: ['user'], event: 'update', payload: '"just a string"' });
    last().receive({ stream: ['user'], event: 'update', payload: { id: '1' } });
    last().receive({ stream: ['user'], event: 'filters_changed', payload: '' });
    last().receive(null);
    expect(seen).toEqual([]);
    last().receive({ stream: ['user'], event: 'delete', payload: '7' });
    expect(seen).toEqual([{ event: 'delete', payload: '7' }]);
  });

  it('reconnects with capped backoff, subscribes again and reports availability', async () => {
    const streaming = client();
    const availability: boolean[] = [];
    streaming.subscribe({ stream: 'public:remote' }, () => undefined, (up) => availability.push(up));
    last().open();
    expect(streaming.available).toBe(true);
    last().drop();
    expect(availability).toEqual([true, false]);
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all).toHaveLength(2);
    // Failing again waits 2 s, then 4 s…
    last().drop();
    await vi.advanceTimersByTimeAsync(1999);
    expect(FakeSocket.all).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all).toHaveLength(3);
    last().open();
    expect(last().sent).toEqual([{ type: 'subscribe', stream: 'public:remote' }]);
    expect(availability).toEqual([true, false, true]);
  });

  it('caps the delay at 30 s and adds jitter', () => {
    expect([0, 1, 2, 3, 4].map((n) => backoffDelay(n, () => 0))).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect(backoffDelay(5, () => 0)).toBe(30000);
    expect(backoffDelay(20, () => 1)).toBe(30000);
    expect(backoffDelay(0, () => 1)).toBe(1200);
  });

  it('unsubscribes, and closes the socket when nobody is left', () => {
    const streaming = client();
    const offUser = streaming.subscribe({ stream: 'user' }, () => undefined);
    const offTag = streaming.subscribe({ stream: 'hashtag', tag: 'rust' }, () => undefined);
    const socket = last();
    socket.open();
    offTag();
    expect(socket.sent.at(-1)).toEqual({ type: 'unsubscribe', stream: 'hashtag', tag: 'rust' });
    expect(socket.closedWith).toBeUndefined();
    offUser();
    expect(socket.sent.at(-1)).toEqual({ type: 'unsubscribe', stream: 'user' });
    expect(socket.closedWith).toBe(1000);
    expect(streaming.available).toBe(false);
    // A closed socket does not come back by itself.
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it('keeps the socket a moment for the next page, and closes for good on sign-out', () => {
    const streaming = client({ lingerMs: 3000 });
    streaming.subscribe({ stream: 'user' }, () => undefined)();
    const socket = last();
    socket.open();
    streaming.subscribe({ stream: 'public:local' }, () => undefined);
    expect(FakeSocket.all).toHaveLength(1);
    expect(socket.sent.at(-1)).toEqual({ type: 'subscribe', stream: 'public:local' });
    streaming.close();
    expect(socket.closedWith).toBe(1000);
    streaming.subscribe({ stream: 'user' }, () => undefined);
    expect(FakeSocket.all).toHaveLength(1);
  });
});

describe('falling back to polling', () => {
  it('has no streaming client without a streaming URL or WebSocket', () => {
    expect(createStreaming(null, 'tok', FakeSocket)).toBeNull();
    expect(createStreaming('https://loggia.test', 'tok', undefined)).toBeNull();
    expect(createStreaming('https://loggia.test', null, FakeSocket)).toBeNull();
    expect(createStreaming('https://loggia.test', 'tok', FakeSocket)).toBeInstanceOf(StreamingClient);
  });

  it('polls without a streaming client', async () => {
    let polls = 0;
    const stop = watchLive(null, { stream: 'user' }, async () => ++polls, () => undefined, () => undefined, 1000);
    await vi.advanceTimersByTimeAsync(3000);
    expect(polls).toBe(3);
    stop();
  });

  it('polls while the socket is down, stops when it connects after one catch-up poll', async () => {
    const streaming = client();
    let polls = 0;
    const events: StreamEvent[] = [];
    const stop = watchLive(streaming, { stream: 'user' }, async () => ++polls, () => undefined, (e) => events.push(e), 1000);
    await vi.advanceTimersByTimeAsync(2000);
    expect(polls).toBe(2);
    last().open();
    await vi.advanceTimersByTimeAsync(0);
    expect(polls).toBe(3); // The catch-up.
    await vi.advanceTimersByTimeAsync(5000);
    expect(polls).toBe(3);
    last().receive({ stream: ['user'], event: 'delete', payload: '5' });
    expect(events).toEqual([{ event: 'delete', payload: '5' }]);
    last().drop();
    await vi.advanceTimersByTimeAsync(999);
    expect(polls).toBe(3);
    await vi.advanceTimersByTimeAsync(1); // Polling again (and a reconnect attempt).
    expect(polls).toBe(4);
    stop();
    expect(last().closedWith).toBe(1000);
  });
});
