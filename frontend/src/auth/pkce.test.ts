import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { base64url, challengeFor, randomToken, sha256 } from './pkce';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('sha256', () => {
  it('matches the standard test vectors', () => {
    expect(hex(sha256(new Uint8Array()))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(sha256(new TextEncoder().encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('agrees with node for every length across block boundaries', () => {
    for (let length = 0; length < 200; length++) {
      const bytes = new Uint8Array(length).map((_, i) => (i * 31 + length) & 0xff);
      expect(hex(sha256(bytes))).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });
});

describe('PKCE', () => {
  it('derives the S256 challenge (base64url of SHA-256), with or without Web Crypto', async () => {
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r-wW1gFWFOEjXk';
    const expected = createHash('sha256').update(verifier).digest('base64url');
    expect(await challengeFor(verifier)).toBe(expected);
    expect(base64url(sha256(new TextEncoder().encode(verifier)))).toBe(expected);
  });

  it('makes unpredictable URL-safe verifiers of 43 characters', () => {
    const a = randomToken();
    const b = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });

  it('encodes base64url without padding', () => {
    expect(base64url(new Uint8Array([251, 255]))).toBe('-_8');
  });
});
