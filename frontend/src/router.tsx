// A small history-API router: the app lives at `/` and `/web/...`, and every
// in-app link is a real `<a href>` (middle-click and copy link work) whose
// plain clicks are handled here without reloading the page.

import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

import { markPageChange } from './page-change';

export type Params = Record<string, string>;

/** Matches `path` against `pattern` ("/web/statuses/:id", "/web/@:acct"). */
export function matchPath(pattern: string, path: string): Params | null {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Params = {};
  for (let i = 0; i < want.length; i++) {
    const segment = want[i];
    const colon = segment.indexOf(':');
    if (colon === -1) {
      if (segment !== have[i]) return null;
      continue;
    }
    const prefix = segment.slice(0, colon);
    if (!have[i].startsWith(prefix)) return null;
    let value: string;
    try {
      value = decodeURIComponent(have[i].slice(prefix.length));
    } catch {
      return null;
    }
    if (!value) return null;
    params[segment.slice(colon + 1)] = value;
  }
  return params;
}

type Listener = () => void;
const listeners = new Set<Listener>();

let shownPath = typeof location !== 'undefined' ? location.pathname : '';

function notify(): void {
  // Another page (not just another query, like a filter tab): announce it.
  if (location.pathname !== shownPath) {
    shownPath = location.pathname;
    markPageChange();
  }
  for (const listener of listeners) listener();
}

if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.scrollTo(0, 0);
  notify();
}

export interface Location {
  path: string;
  query: URLSearchParams;
}

function current(): Location {
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

/** The current location; re-renders the caller when it changes. */
export function useLocation(): Location {
  const [value, setValue] = useState(current);
  useEffect(() => {
    const listener = () => setValue(current());
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return value;
}

type AnchorProps = JSX.HTMLAttributes<HTMLAnchorElement> & { href: string; children?: ComponentChildren };

/** An in-app link. */
export function Link({ href, onClick, ...rest }: AnchorProps) {
  const handle = (event: JSX.TargetedMouseEvent<HTMLAnchorElement>) => {
    if (typeof onClick === 'function') onClick(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={handle} {...rest} />;
}

/** The in-app path of an account's profile. */
export function profilePath(acct: string): string {
  return `/web/@${encodeURIComponent(acct).replace(/%40/g, '@')}`;
}

export function statusPath(id: string): string {
  return `/web/statuses/${encodeURIComponent(id)}`;
}
