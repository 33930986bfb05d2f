// Typed calls for statuses and timelines.

import { type Client, type Page, type Query, seg } from './client';
import type { Context, MediaAttachment, Status, StatusSource, Visibility } from './types';

export interface NewStatus {
  status: string;
  visibility: Visibility;
  local_only: boolean;
  spoiler_text?: string;
  sensitive?: boolean;
  in_reply_to_id?: string;
  media_ids?: string[];
  language?: string;
}

/** PUT /api/v1/statuses/:id: the audience and the reply target cannot change. */
export interface StatusEdit extends Omit<NewStatus, 'visibility' | 'local_only' | 'in_reply_to_id'> {
  /** Alt text of the post's media, changed with the edit. */
  media_attributes?: { id: string; description: string }[];
}

export const statuses = {
  get: (c: Client, id: string) => c.get<Status>(`/api/v1/statuses/${seg(id)}`),
  context: (c: Client, id: string) => c.get<Context>(`/api/v1/statuses/${seg(id)}/context`),
  source: (c: Client, id: string) => c.get<StatusSource>(`/api/v1/statuses/${seg(id)}/source`),
  create: (c: Client, params: NewStatus, idempotencyKey: string) =>
    c.post<Status>('/api/v1/statuses', params, { 'Idempotency-Key': idempotencyKey }),
  edit: (c: Client, id: string, params: StatusEdit) =>
    c.put<Status>(`/api/v1/statuses/${seg(id)}`, params),
  remove: (c: Client, id: string) => c.del<Status>(`/api/v1/statuses/${seg(id)}`),
  favourite: (c: Client, id: string, on: boolean) =>
    c.post<Status>(`/api/v1/statuses/${seg(id)}/${on ? 'favourite' : 'unfavourite'}`),
  reblog: (c: Client, id: string, on: boolean) =>
    c.post<Status>(`/api/v1/statuses/${seg(id)}/${on ? 'reblog' : 'unreblog'}`),
  bookmark: (c: Client, id: string, on: boolean) =>
    c.post<Status>(`/api/v1/statuses/${seg(id)}/${on ? 'bookmark' : 'unbookmark'}`),
};

export type TimelineKind = 'home' | 'local' | 'federated';

export function timeline(c: Client, kind: TimelineKind, query: Query): Promise<Page<Status>> {
  switch (kind) {
    case 'home':
      return c.page<Status>('/api/v1/timelines/home', query);
    case 'local':
      return c.page<Status>('/api/v1/timelines/public', { ...query, local: true });
    case 'federated':
      return c.page<Status>('/api/v1/timelines/public', { ...query, remote: true });
  }
}

export const media = {
  upload: (c: Client, file: File, description: string) => {
    const form = new FormData();
    form.append('file', file);
    if (description) form.append('description', description);
    return c.upload<MediaAttachment>('POST', '/api/v2/media', form);
  },
  describe: (c: Client, id: string, description: string) =>
    c.put<MediaAttachment>(`/api/v1/media/${seg(id)}`, { description }),
};
