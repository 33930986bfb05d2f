// Pieces every admin page shares: the page frame (title, way back, the
// permission check), a clear message when the server answers 403, loading a
// resource with retry, and a live region announcing what an action did.

import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

import { ApiError } from '../api/client';
import { PageTitle } from '../components/Layout';
import { ErrorMessage, describeError } from '../components/feedback';
import { t } from '../i18n';
import { Link } from '../router';
import { can, useSession } from '../session';

/**
 * The key of an item in a PagedList. Module-level so that it keeps its
 * identity: PagedList reloads when `keyOf` changes, and a page that
 * re-renders (to announce something) must not reload its list.
 */
export const idOf = (item: { id: string }): string => item.id;

/**
 * A 403 for the role's lack of permission ("This action is not allowed")
 * becomes a clear sentence; other 403s ("This account is not pending
 * approval") keep the server's words.
 */
export function explainForbidden(error: unknown): unknown {
  if (error instanceof ApiError && error.status === 403 && /not allowed|outside the authorized scopes/i.test(error.message)) {
    return new ApiError(403, t('admin.forbidden'));
  }
  return error;
}

/** Wraps a loader so that a 403 reads as a permission problem wherever it shows. */
export function guarded<A extends unknown[], R>(load: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await load(...args);
    } catch (error) {
      throw explainForbidden(error);
    }
  };
}

export function AdminError({ error, retry }: { error: unknown; retry?: () => void }) {
  return <ErrorMessage error={explainForbidden(error)} retry={retry} />;
}

/** The server's message for a failed action, 403s explained. */
export function actionError(error: unknown): string {
  return describeError(explainForbidden(error));
}

export function Forbidden() {
  return (
    <div class="error-box" role="alert">
      <p>{t('admin.forbidden')}</p>
    </div>
  );
}

/** Title, a link back to the admin home, and the page if the role permits it. */
export function AdminPage({
  title,
  permission,
  children,
}: {
  title: string;
  permission: bigint | null;
  children: ComponentChildren;
}) {
  const session = useSession();
  const allowed = permission === null || can(session, permission);
  return (
    <div class="admin-page">
      <p class="admin-back">
        <Link href="/web/admin">{t('admin.back')}</Link>
      </p>
      <PageTitle>{title}</PageTitle>
      {allowed ? children : <Forbidden />}
    </div>
  );
}

export interface Loaded<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
  setData: (data: T) => void;
}

/** Loads once (and again on `reload` or when `load` changes). */
export function useLoaded<T>(load: () => Promise<T>): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    load()
      .then((value) => live && setData(value))
      .catch((e: unknown) => live && setError(e))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [load, attempt]);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { data, error, loading, reload, setData };
}

/**
 * A polite live region (always in the page, so screen readers notice its
 * changes) and the function that puts a sentence in it.
 */
export function useAnnouncer(): [ComponentChildren, (message: string, isError?: boolean) => void] {
  const [message, setMessage] = useState<{ text: string; error: boolean }>({ text: '', error: false });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const announce = useCallback((text: string, isError = false) => {
    setMessage({ text, error: isError });
    if (timer.current) clearTimeout(timer.current);
    // Errors stay until the next action; confirmations fade after a while.
    if (!isError) timer.current = setTimeout(() => setMessage({ text: '', error: false }), 8000);
  }, []);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  const node = (
    <p class={`announce${message.error ? ' announce-error' : ''}${message.text ? '' : ' announce-empty'}`} role="status" aria-live="polite">
      {message.text}
    </p>
  );
  return [node, announce];
}

/** An error next to a form field, referenced by the field's aria-describedby. */
export function FieldError({ id, message }: { id: string; message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p id={id} class="field-error">
      {message}
    </p>
  );
}

/** A secret the server shows only once, until the admin says it is copied. */
export function SecretNotice({ secret, onDone }: { secret: string | null; onDone: () => void }) {
  if (!secret) return null;
  return (
    <div class="notice secret-notice" role="alert">
      <p>{t('admin.hooks.secret_once')}</p>
      <code>{secret}</code>
      <button type="button" onClick={onDone}>
        {t('admin.hooks.secret_done')}
      </button>
    </div>
  );
}

/** The end of an admin form: its error, the submit button and Cancel. */
export function FormFooter({
  error,
  busy,
  submitLabel,
  onCancel,
}: {
  error: string | null | undefined;
  busy: boolean;
  submitLabel: string;
  onCancel: () => void;
}) {
  return (
    <>
      {error && (
        <p class="inline-error" role="alert">
          {error}
        </p>
      )}
      <div class="actions-row">
        <button type="submit" class="primary" disabled={busy}>
          {submitLabel}
        </button>
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </>
  );
}

/** A write-only signing secret: kept when left empty on an existing hook, generated on a new one. */
export function SecretField({
  id,
  value,
  existing,
  onInput,
}: {
  id: string;
  value: string | undefined;
  existing: boolean;
  onInput: (value: string) => void;
}) {
  return (
    <div class="field">
      <label for={id}>{t('admin.hooks.secret')}</label>
      <input
        id={id}
        type="password"
        autoComplete="new-password"
        value={value ?? ''}
        aria-describedby={`${id}-help`}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
      <p id={`${id}-help`} class="help">
        {existing ? t('admin.hooks.secret_keep') : t('admin.hooks.secret_generate')}
      </p>
    </div>
  );
}
