// Search for people, hashtags and posts. The query lives in the URL
// (`/web/search?q=…`), so results survive reload and can be shared;
// `@user@other.example` finds (and fetches) someone on another server.

import { useEffect, useState } from 'preact/hooks';

import { search } from '../api/search';
import type { SearchResults, Status as StatusEntity } from '../api/types';
import { PageTitle } from '../components/Layout';
import { Status } from '../components/Status';
import { Empty, ErrorMessage, Loading } from '../components/feedback';
import { t, tn } from '../i18n';
import { Link, type Params, navigate, useLocation } from '../router';
import { useSession } from '../session';
import { AccountRow } from './profile/AccountRow';

type State =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'error'; error: unknown }
  | { kind: 'done'; results: SearchResults };

export function Search(_: { params: Params }) {
  const { client } = useSession();
  const { query } = useLocation();
  const q = (query.get('q') ?? '').trim();
  const [text, setText] = useState(q);
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => setText(q), [q]);

  useEffect(() => {
    if (!q) {
      setState({ kind: 'idle' });
      return;
    }
    let live = true;
    setState({ kind: 'loading' });
    search.all(client, q).then(
      (results) => live && setState({ kind: 'done', results }),
      (error) => live && setState({ kind: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [client, q, attempt]);

  const submit = (event: Event) => {
    event.preventDefault();
    const wanted = text.trim();
    if (!wanted) return;
    if (wanted === q) setAttempt((n) => n + 1);
    else navigate(`/web/search?q=${encodeURIComponent(wanted)}`, { replace: !!q });
  };

  return (
    <>
      <PageTitle>{t('search.title')}</PageTitle>
      <form class="search-form" role="search" onSubmit={submit}>
        <label for="search-q">{t('search.label')}</label>
        <div class="search-row">
          <input
            id="search-q"
            type="search"
            name="q"
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
            placeholder={t('search.placeholder')}
            autoComplete="off"
            spellcheck={false}
            aria-describedby="search-hint"
          />
          <button type="submit" class="primary">
            {t('search.submit')}
          </button>
        </div>
        <p id="search-hint" class="hint">
          {t('search.hint')}
        </p>
      </form>
      <Results
        state={state}
        q={q}
        retry={() => setAttempt((n) => n + 1)}
        updateStatuses={(change) =>
          setState((old) =>
            old.kind === 'done' ? { kind: 'done', results: { ...old.results, statuses: change(old.results.statuses) } } : old,
          )
        }
      />
    </>
  );
}

interface ResultsProps {
  state: State;
  q: string;
  retry: () => void;
  updateStatuses: (change: (old: StatusEntity[]) => StatusEntity[]) => void;
}

function Results({ state, q, retry, updateStatuses }: ResultsProps) {
  switch (state.kind) {
    case 'idle':
      return null;
    case 'loading':
      return <Loading label={t('search.searching')} />;
    case 'error':
      return <ErrorMessage error={state.error} retry={retry} />;
    case 'done':
      break;
  }
  const { accounts, hashtags, statuses } = state.results;
  if (!accounts.length && !hashtags.length && !statuses.length) {
    return <Empty text={t('search.no_results', { q })} />;
  }
  return (
    <div class="search-results" aria-live="polite">
      <p class="visually-hidden">
        {tn('search.count', accounts.length + hashtags.length + statuses.length)}
      </p>
      {accounts.length > 0 && (
        <section aria-labelledby="search-people">
          <h2 id="search-people">{t('search.people')}</h2>
          <ul class="plain-list">
            {accounts.map((account) => (
              <li key={account.id}>
                <AccountRow account={account} />
              </li>
            ))}
          </ul>
        </section>
      )}
      {hashtags.length > 0 && (
        <section aria-labelledby="search-tags">
          <h2 id="search-tags">{t('search.hashtags')}</h2>
          <ul class="plain-list hashtag-list">
            {hashtags.map((tag) => (
              <li key={tag.name}>
                <Link href={`/web/tags/${encodeURIComponent(tag.name)}`}>#{tag.name}</Link>
              </li>
            ))}
          </ul>
        </section>
      )}
      {statuses.length > 0 && (
        <section aria-labelledby="search-posts">
          <h2 id="search-posts">{t('search.posts')}</h2>
          {statuses.map((status) => (
            <Status
              key={status.id}
              status={status}
              onChange={(fresh) => updateStatuses((old) => old.map((s) => (s.id === fresh.id ? fresh : s)))}
              onRemove={() => updateStatuses((old) => old.filter((s) => s.id !== status.id))}
            />
          ))}
        </section>
      )}
    </div>
  );
}
