// Choosing an avatar or header image, with a preview of what will be saved.

import { useEffect, useState } from 'preact/hooks';

import { FieldError } from './form';

interface Props {
  id: string;
  label: string;
  hint: string;
  previewAlt: string;
  current: string;
  file: File | null;
  onFile: (file: File | null) => void;
  error?: string;
  kind: 'avatar' | 'header';
}

const ACCEPT = 'image/png,image/jpeg,image/webp,image/gif';

export function ImageField({ id, label, hint, previewAlt, current, file, onFile, error, kind }: Props) {
  const [preview, setPreview] = useState<string | null>(null);

  // An object URL per chosen file, released when the file changes.
  useEffect(() => {
    if (!file) {
      setPreview(null);
      return;
    }
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const shown = preview ?? (/\/missing\.png$/.test(current) ? null : current);
  return (
    <div class={`field image-field image-field-${kind}`}>
      <label for={id}>{label}</label>
      {shown ? <img class={`image-preview image-preview-${kind}`} src={shown} alt={previewAlt} /> : <div class={`image-preview image-preview-${kind} none`} />}
      <input
        id={id}
        type="file"
        accept={ACCEPT}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        aria-invalid={error ? true : undefined}
        onChange={(e) => onFile(e.currentTarget.files?.[0] ?? null)}
      />
      <span id={`${id}-hint`} class="hint">
        {hint}
      </span>
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}
