// What both settings forms share: the save state, the server's answer
// turned into a sentence per field, and the "Saved" confirmation.

import { useState } from 'preact/hooks';

import { ApiError } from '../../api/client';
import { describeError } from '../../components/feedback';
import { t } from '../../i18n';

export interface SaveState {
  busy: boolean;
  saved: boolean;
  /** The error that belongs to no single field. */
  error: string | null;
  /** Mastodon's 422 `details`: field name → sentence. */
  fields: Record<string, string>;
}

const IDLE: SaveState = { busy: false, saved: false, error: null, fields: {} };

/**
 * Mastodon's `details` look like `{"display_name": [{"error": "ERR_TOO_LONG",
 * "description": "is too long"}]}`; older servers send strings.
 */
export function fieldErrors(details: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!details || typeof details !== 'object') return out;
  for (const [field, value] of Object.entries(details as Record<string, unknown>)) {
    const list = Array.isArray(value) ? value : [value];
    const text = list
      .map((item) =>
        typeof item === 'string'
          ? item
          : item && typeof item === 'object' && 'description' in item
            ? String((item as { description: unknown }).description)
            : '',
      )
      .filter(Boolean)
      .join(' ');
    if (text) out[field] = text;
  }
  return out;
}

export function useSave() {
  const [state, setState] = useState<SaveState>(IDLE);
  const run = async (work: () => Promise<void>) => {
    setState({ ...IDLE, busy: true });
    try {
      await work();
      setState({ ...IDLE, saved: true });
    } catch (e) {
      const fields = e instanceof ApiError ? fieldErrors(e.details) : {};
      setState({ ...IDLE, error: describeError(e), fields });
    }
  };
  /** Any edit hides the old "Saved". */
  const touch = () => setState((old) => (old.saved ? { ...old, saved: false } : old));
  return { state, run, touch };
}

export function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <span id={id} class="inline-error">
      {message}
    </span>
  );
}

export function SaveBar({ state }: { state: SaveState }) {
  return (
    <div class="save-bar">
      <button type="submit" class="primary" disabled={state.busy} aria-busy={state.busy}>
        {state.busy ? t('settings.saving') : t('common.save')}
      </button>
      <span role="status" class="saved">
        {state.saved ? t('common.saved') : ''}
      </span>
      {state.error && (
        <p class="inline-error" role="alert">
          {state.error}
        </p>
      )}
    </div>
  );
}
