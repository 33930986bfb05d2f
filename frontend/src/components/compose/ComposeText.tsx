// The post's text box with suggestions for the @mention or #hashtag being
// typed. The textarea keeps focus and points at the highlighted suggestion
// (aria-activedescendant): arrows move, Enter or Tab picks, Escape closes.

import type { Ref } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

import type { Account, SearchResults, Tag } from '../../api/types';
import { tn, t } from '../../i18n';
import { useSession } from '../../session';
import { Avatar, displayName } from '../account';
import { type Token, applyCompletion, tokenAt } from './text';

type Suggestion = { kind: 'account'; account: Account } | { kind: 'hashtag'; tag: Tag };

const SEARCH_DELAY_MS = 150;

interface Props {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  describedBy?: string;
  inputRef?: Ref<HTMLTextAreaElement>;
  disabled?: boolean;
  /** While sending: unchangeable but still focusable, so the focus stays here. */
  readOnly?: boolean;
  rows?: number;
}

function sameToken(a: Token | null, b: Token | null): boolean {
  return a?.kind === b?.kind && a?.query === b?.query && a?.start === b?.start;
}

export function ComposeText({ id, label, value, onInput, describedBy, inputRef, disabled, readOnly, rows = 4 }: Props) {
  const { client } = useSession();
  const [token, setToken] = useState<Token | null>(null);
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [active, setActive] = useState(0);
  const own = useRef<HTMLTextAreaElement | null>(null);
  const pendingCaret = useRef<number | null>(null);
  const request = useRef(0);
  const listId = `${id}-suggestions`;
  const open = token !== null && suggestions.length > 0;

  const setRef = (node: HTMLTextAreaElement | null) => {
    own.current = node;
    if (typeof inputRef === 'function') inputRef(node);
    else if (inputRef) inputRef.current = node;
  };

  // The caret after a completion, once the new text is on screen.
  useEffect(() => {
    const node = own.current;
    if (node && pendingCaret.current !== null) {
      node.setSelectionRange(pendingCaret.current, pendingCaret.current);
      pendingCaret.current = null;
    }
  }, [value]);

  useEffect(() => {
    const mine = ++request.current;
    if (!token) {
      setSuggestions([]);
      return;
    }
    const timer = setTimeout(async () => {
      try {
        const results = await client.get<SearchResults>('/api/v2/search', {
          q: token.query,
          type: token.kind === 'mention' ? 'accounts' : 'hashtags',
          limit: 5,
          resolve: false,
        });
        if (mine !== request.current) return;
        setSuggestions(
          token.kind === 'mention'
            ? results.accounts.map((account) => ({ kind: 'account', account }))
            : results.hashtags.map((tag) => ({ kind: 'hashtag', tag })),
        );
        setActive(0);
      } catch {
        // Suggestions are a convenience: without them the user types on.
        if (mine === request.current) setSuggestions([]);
      }
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [token?.kind, token?.query, token?.start, client]);

  const look = (node: HTMLTextAreaElement) => {
    const found = node.selectionStart === node.selectionEnd ? tokenAt(node.value, node.selectionStart) : null;
    setToken((old) => (sameToken(old, found) ? old : found));
  };

  const close = () => {
    request.current++;
    setToken(null);
    setSuggestions([]);
  };

  const pick = (suggestion: Suggestion) => {
    if (!token) return;
    const replacement = suggestion.kind === 'account' ? `@${suggestion.account.acct}` : `#${suggestion.tag.name}`;
    const done = applyCompletion(value, token, replacement);
    pendingCaret.current = done.caret;
    close();
    onInput(done.text);
    own.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (!open || event.ctrlKey || event.metaKey || event.altKey) return;
    switch (event.key) {
      case 'ArrowDown':
        setActive((n) => (n + 1) % suggestions.length);
        break;
      case 'ArrowUp':
        setActive((n) => (n - 1 + suggestions.length) % suggestions.length);
        break;
      case 'Enter':
      case 'Tab':
        if (event.shiftKey) return;
        pick(suggestions[active] ?? suggestions[0]);
        break;
      case 'Escape':
        close();
        break;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
  };

  return (
    <div class="field compose-text">
      <label for={id}>{label}</label>
      <div class="autocomplete">
        <textarea
          id={id}
          ref={setRef}
          rows={rows}
          value={value}
          disabled={disabled}
          readOnly={readOnly}
          aria-describedby={describedBy}
          aria-autocomplete="list"
          aria-controls={open ? listId : undefined}
          aria-activedescendant={open ? `${listId}-${active}` : undefined}
          aria-keyshortcuts="Control+Enter Meta+Enter"
          onInput={(event) => {
            onInput(event.currentTarget.value);
            look(event.currentTarget);
          }}
          onKeyDown={onKeyDown}
          onKeyUp={(event) => {
            if (event.key === 'ArrowLeft' || event.key === 'ArrowRight' || event.key === 'Home' || event.key === 'End') {
              look(event.currentTarget);
            }
          }}
          onClick={(event) => look(event.currentTarget)}
          onBlur={close}
        />
        {open && (
          <ul id={listId} role="listbox" class="suggestions" aria-label={t('compose.suggestions')}>
            {suggestions.map((suggestion, index) => (
              <li
                key={suggestion.kind === 'account' ? suggestion.account.id : suggestion.tag.name}
                id={`${listId}-${index}`}
                role="option"
                aria-selected={index === active}
                class="suggestion"
                // Keep the focus in the text box while the mouse picks.
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => pick(suggestion)}
              >
                {suggestion.kind === 'account' ? (
                  <>
                    <Avatar account={suggestion.account} size={28} />
                    <span class="names">
                      <bdi class="display-name">{displayName(suggestion.account)}</bdi>{' '}
                      <span class="handle">@{suggestion.account.acct}</span>
                    </span>
                  </>
                ) : (
                  <span class="names">#{suggestion.tag.name}</span>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
      <span class="visually-hidden" role="status">
        {open ? tn('compose.suggestions_count', suggestions.length) : ''}
      </span>
    </div>
  );
}
