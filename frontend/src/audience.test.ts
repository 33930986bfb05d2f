import { describe, expect, it } from 'vitest';

import type { Preferences } from './api/types';
import {
  AUDIENCES,
  audienceOf,
  audienceParams,
  defaultAudience,
  describeAudience,
  remoteMentions,
  replyAudience,
} from './audience';

const prefs = (extra: Partial<Preferences> = {}): Preferences => ({
  'posting:default:visibility': 'public',
  'posting:default:sensitive': false,
  'posting:default:language': null,
  ...extra,
});

describe('audienceParams and audienceOf', () => {
  it('maps every audience to visibility and local_only', () => {
    expect(audienceParams('company')).toEqual({ visibility: 'public', local_only: true });
    expect(audienceParams('public')).toEqual({ visibility: 'public', local_only: false });
    expect(audienceParams('unlisted')).toEqual({ visibility: 'unlisted', local_only: false });
    expect(audienceParams('followers')).toEqual({ visibility: 'private', local_only: false });
    expect(audienceParams('direct')).toEqual({ visibility: 'direct', local_only: false });
  });

  it('round-trips', () => {
    for (const audience of AUDIENCES) expect(audienceOf(audienceParams(audience))).toBe(audience);
  });

  it('reads statuses without local_only and company-only direct messages', () => {
    expect(audienceOf({ visibility: 'public' })).toBe('public');
    expect(audienceOf({ visibility: 'direct', local_only: true })).toBe('direct');
    expect(audienceOf({ visibility: 'unlisted', local_only: true })).toBe('company');
  });
});

describe('defaultAudience', () => {
  it('is company-only without preferences or with local_only', () => {
    expect(defaultAudience(null)).toBe('company');
    expect(defaultAudience(prefs({ 'posting:default:local_only': true }))).toBe('company');
    expect(defaultAudience(prefs({ 'posting:default:local_only': true, 'posting:default:visibility': 'private' }))).toBe(
      'company',
    );
  });

  it('follows the default visibility otherwise', () => {
    expect(defaultAudience(prefs())).toBe('public');
    expect(defaultAudience(prefs({ 'posting:default:local_only': false }))).toBe('public');
    expect(defaultAudience(prefs({ 'posting:default:visibility': 'unlisted' }))).toBe('unlisted');
    expect(defaultAudience(prefs({ 'posting:default:visibility': 'private' }))).toBe('followers');
    expect(defaultAudience(prefs({ 'posting:default:visibility': 'direct' }))).toBe('direct');
  });
});

describe('replyAudience', () => {
  const parent = (audience: (typeof AUDIENCES)[number]) => audienceParams(audience);

  it('narrows to the parent', () => {
    expect(replyAudience(parent('company'), 'public')).toBe('company');
    expect(replyAudience(parent('followers'), 'public')).toBe('followers');
    expect(replyAudience(parent('direct'), 'company')).toBe('direct');
    expect(replyAudience(parent('unlisted'), 'public')).toBe('unlisted');
  });

  it('makes a reply to a company-only post company-only, whatever the default', () => {
    for (const preferred of ['public', 'unlisted', 'company', 'followers'] as const) {
      expect(replyAudience(parent('company'), preferred)).toBe('company');
    }
    // A followers-only post that is also company-only (sent by another client).
    expect(replyAudience({ visibility: 'private', local_only: true }, 'followers')).toBe('company');
    expect(replyAudience({ visibility: 'direct', local_only: true }, 'public')).toBe('direct');
  });

  it('keeps a narrower preference', () => {
    expect(replyAudience(parent('public'), 'company')).toBe('company');
    expect(replyAudience(parent('public'), 'unlisted')).toBe('unlisted');
    expect(replyAudience(parent('unlisted'), 'followers')).toBe('followers');
    expect(replyAudience(parent('public'), 'public')).toBe('public');
  });
});

describe('remoteMentions', () => {
  it('finds accounts on other servers, once each, lower-cased domain', () => {
    expect(remoteMentions('hi @bob@Partner.Example and @bob@partner.example', 'loggia.example')).toEqual([
      'bob@partner.example',
    ]);
  });

  it('ignores local accounts, with or without the local domain', () => {
    expect(remoteMentions('@bob and @carol@loggia.example', 'loggia.example')).toEqual([]);
  });

  it('treats the local domain with a port as local', () => {
    expect(remoteMentions('@bob@localhost:3000', 'localhost:3000')).toEqual([]);
    expect(remoteMentions('@bob@localhost:3001', 'localhost:3000')).toEqual(['bob@localhost:3001']);
    expect(remoteMentions('@bob@social.example:8443', 'social.example:8443')).toEqual([]);
    expect(remoteMentions('@bob@social.example', 'social.example:8443')).toEqual(['bob@social.example']);
  });

  it('ignores e-mail addresses and links', () => {
    expect(remoteMentions('write to bob@partner.example', 'loggia.example')).toEqual([]);
    expect(remoteMentions('https://partner.example/@bob@partner.example', 'loggia.example')).toEqual([]);
  });
});

describe('describeAudience', () => {
  const base = { text: 'hello', localDomain: 'loggia.example', preferences: prefs() };

  it('company-only never leaves, and is never reviewed', () => {
    const reviewed = prefs({ 'loggia:posting:external_review': true });
    expect(describeAudience('company', { ...base, text: '@x@partner.example', preferences: reviewed })).toEqual({
      reach: 'internal',
      reviewed: false,
    });
  });

  it('public and quiet public leave the company', () => {
    expect(describeAudience('public', base)).toEqual({ reach: 'external', reviewed: false });
    expect(describeAudience('unlisted', base)).toEqual({ reach: 'external', reviewed: false });
  });

  it('followers-only leaves only with followers elsewhere or a remote mention', () => {
    expect(describeAudience('followers', base).reach).toBe('internal');
    const remote = prefs({ 'loggia:followers:remote': true });
    expect(describeAudience('followers', { ...base, preferences: remote }).reach).toBe('external');
    expect(describeAudience('followers', { ...base, text: 'cc @x@partner.example' }).reach).toBe('external');
    expect(describeAudience('followers', { ...base, preferences: null }).reach).toBe('internal');
  });

  it('direct leaves only when it mentions or answers someone elsewhere', () => {
    expect(describeAudience('direct', { ...base, text: '@bob hi' }).reach).toBe('internal');
    expect(describeAudience('direct', { ...base, text: '@bob@partner.example hi' }).reach).toBe('external');
    expect(describeAudience('direct', { ...base, replyToRemote: true }).reach).toBe('external');
  });

  it('a reply to a company-only post stays here whatever audience is picked', () => {
    const reviewed = prefs({ 'loggia:posting:external_review': true, 'loggia:followers:remote': true });
    for (const audience of AUDIENCES) {
      expect(
        describeAudience(audience, { ...base, text: '@x@partner.example', preferences: reviewed, replyToLocalOnly: true }),
      ).toEqual({ reach: 'internal', reviewed: false });
    }
  });

  it('marks external posts for review when the organisation reviews this user', () => {
    const reviewed = { ...base, preferences: prefs({ 'loggia:posting:external_review': true }) };
    expect(describeAudience('public', reviewed)).toEqual({ reach: 'external', reviewed: true });
    expect(describeAudience('followers', reviewed)).toEqual({ reach: 'internal', reviewed: false });
    const remoteFollowers = prefs({ 'loggia:posting:external_review': true, 'loggia:followers:remote': true });
    expect(describeAudience('followers', { ...base, preferences: remoteFollowers })).toEqual({
      reach: 'external',
      reviewed: true,
    });
    expect(describeAudience('direct', reviewed).reviewed).toBe(false);
  });
});
