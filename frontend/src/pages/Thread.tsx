// One post with its conversation: what it answers, the post itself, a reply
// box under it (focused when the URL says ?reply=1) and the replies, indented
// by depth. Also the page that edits a post.

import { useEffect, useRef, useState } from 'preact/hooks';

import { statuses } from '../api/statuses';
import type { Status as StatusEntity, StatusSource } from '../api/types';
import { Compose } from '../components/Compose';
import { PageTitle } from '../components/Layout';
import { Status, isNotFound } from '../components/Status';
import { replyPrefix } from '../components/compose/text';
import { Empty, ErrorMessage, Loading } from '../components/feedback';
import { t } from '../i18n';
import { Link, type Params, navigate, statusPath, useLocation } from '../router';
import { useSession } from '../session';

interface ThreadData {
  status: StatusEntity;
  ancestors: StatusEntity[];
  descendants: StatusEntity[];
}

/** Each reply with how deep it sits under the focused post (1 = a direct reply). */
function withDepth(descendants: StatusEntity[], rootId: string): { status: StatusEntity; depth: number }[] {
  const depths = new Map<string, number>([[rootId, 0]]);
  return descendants.map((status) => {
    const depth = (depths.get(status.in_reply_to_id ?? '') ?? 0) + 1;
    depths.set(status.id, depth);
    return { status, depth };
  });
}

function focusAtEnd(node: HTMLTextAreaElement): void {
  node.focus();
  node.setSelectionRange(node.value.length, node.value.length);
  node.scrollIntoView({ block: 'center' });
}

/** The failure of a page about one post: "not found" gets its own words. */
function LoadFailure({ error, retry }: { error: unknown; retry: () => void }) {
  if (!isNotFound(error)) return <ErrorMessage error={error} retry={retry} />;
  return (
    <div class="error-box" role="alert">
      <p>{t('timeline.thread_not_found')}</p>
      <Link href="/web/home">{t('timeline.back_home')}</Link>
    </div>
  );
}

export function Thread({ params }: { params: Params }) {
  const { client, me } = useSession();
  const location = useLocation();
  const [data, setData] = useState<ThreadData | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const [posted, setPosted] = useState<string | null>(null);
  const replyBox = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    let current = true;
    setError(null);
    Promise.all([statuses.get(client, params.id), statuses.context(client, params.id)]).then(
      ([status, context]) => current && setData({ status, ...context }),
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [client, params.id, attempt]);

  // "Reply" links here with ?reply=1: again on every click, hence the location.
  const loaded = data !== null;
  useEffect(() => {
    if (loaded && location.query.get('reply') === '1' && replyBox.current) focusAtEnd(replyBox.current);
  }, [loaded, location]);

  useEffect(() => {
    if (posted) document.getElementById(`reply-${posted}`)?.scrollIntoView({ block: 'nearest' });
  }, [posted]);

  if (error !== null || !data) {
    return (
      <>
        <PageTitle>{t('timeline.thread_title')}</PageTitle>
        {error !== null ? <LoadFailure error={error} retry={() => setAttempt((n) => n + 1)} /> : <Loading />}
      </>
    );
  }

  const target = data.status.reblog ?? data.status;
  const update = (change: (old: ThreadData) => ThreadData) => setData((old) => (old ? change(old) : old));
  const replace = (list: 'ancestors' | 'descendants', fresh: StatusEntity) =>
    update((old) => ({ ...old, [list]: old[list].map((s) => (s.id === fresh.id ? fresh : s)) }));
  const drop = (list: 'ancestors' | 'descendants', id: string) =>
    update((old) => ({ ...old, [list]: old[list].filter((s) => s.id !== id) }));
  const addReply = (reply: StatusEntity) => {
    update((old) => ({
      ...old,
      status: old.status.id === target.id ? { ...old.status, replies_count: old.status.replies_count + 1 } : old.status,
      descendants: [...old.descendants, reply],
    }));
    setPosted(reply.id);
  };

  return (
    <>
      <PageTitle>{t('timeline.thread_title')}</PageTitle>
      {data.ancestors.length > 0 && (
        <section class="thread-ancestors" aria-label={t('timeline.ancestors')}>
          {data.ancestors.map((s) => (
            <Status key={s.id} status={s} onChange={(fresh) => replace('ancestors', fresh)} onRemove={() => drop('ancestors', s.id)} />
          ))}
        </section>
      )}
      <Status status={data.status} focused onChange={(fresh) => update((old) => ({ ...old, status: fresh }))} />
      <section class="thread-reply" aria-labelledby="reply-heading">
        <h2 id="reply-heading" class="visually-hidden">
          {t('timeline.reply_heading')}
        </h2>
        <Compose id="reply" replyTo={target} initialText={replyPrefix(target, me)} inputRef={replyBox} onPosted={addReply} />
      </section>
      <section class="thread-replies" aria-labelledby="replies-heading">
        <h2 id="replies-heading" class="section-title">
          {t('timeline.replies')}
        </h2>
        {data.descendants.length === 0 ? (
          <Empty text={t('timeline.no_replies')} />
        ) : (
          withDepth(data.descendants, target.id).map(({ status, depth }) => (
            <div key={status.id} id={`reply-${status.id}`} class={`thread-reply-item depth-${Math.min(depth, 4)}`}>
              <Status
                status={status}
                onChange={(fresh) => replace('descendants', fresh)}
                onRemove={() => drop('descendants', status.id)}
              />
            </div>
          ))
        )}
      </section>
    </>
  );
}

export function EditStatus({ params }: { params: Params }) {
  const { client, me } = useSession();
  const [data, setData] = useState<{ status: StatusEntity; source: StatusSource | null } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    setError(null);
    // Someone else's post has no source for us: say so instead of "not found".
    const load = async () => {
      const status = await statuses.get(client, params.id);
      if (status.account.id !== me.id) return { status, source: null };
      return { status, source: await statuses.source(client, params.id) };
    };
    load().then(
      (loaded) => current && setData(loaded),
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [client, me.id, params.id, attempt]);

  return (
    <>
      <PageTitle>{t('compose.edit_title')}</PageTitle>
      {error !== null ? (
        <LoadFailure error={error} retry={() => setAttempt((n) => n + 1)} />
      ) : !data ? (
        <Loading />
      ) : !data.source ? (
        <p class="error-box" role="alert">
          {t('compose.edit_not_own')}
        </p>
      ) : (
        <Compose
          id="edit"
          editing={{ status: data.status, source: data.source }}
          onPosted={() => navigate(statusPath(params.id))}
        />
      )}
      <p>
        <Link href={statusPath(params.id)}>{t('compose.cancel_edit')}</Link>
      </p>
    </>
  );
}
