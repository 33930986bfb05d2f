// Loading and error states: every page shows one of these instead of a blank
// screen, with a clear message and a way to try again.

import { ApiError, NetworkError } from '../api/client';
import { t } from '../i18n';

export function Loading({ label }: { label?: string }) {
  return (
    <div class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {label ?? t('common.loading')}
    </div>
  );
}

/** A sentence for the person in front of the screen. */
export function describeError(error: unknown): string {
  if (error instanceof NetworkError) return t('common.unreachable');
  if (error instanceof ApiError) {
    if (error.status === 404) return t('common.not_found');
    if (error.status === 401) return t('common.signed_out');
    return error.message;
  }
  return t('common.error', { message: error instanceof Error ? error.message : String(error) });
}

export function ErrorMessage({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div class="error-box" role="alert">
      <p>{describeError(error)}</p>
      {retry && (
        <button type="button" onClick={retry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function Empty({ text }: { text?: string }) {
  return <p class="empty">{text ?? t('common.empty')}</p>;
}
