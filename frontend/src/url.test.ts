import { describe, expect, it } from 'vitest';

import { safeUrl } from './url';

describe('safeUrl', () => {
  it('keeps web and blob addresses', () => {
    expect(safeUrl('https://other.example/media/a.png')).toBe('https://other.example/media/a.png');
    expect(safeUrl('http://localhost:3000/x')).toBe('http://localhost:3000/x');
    expect(safeUrl('blob:http://localhost/1234')).toBe('blob:http://localhost/1234');
    expect(safeUrl('/media/a.png')).toBe('/media/a.png');
  });

  it('drops script, data and other schemes', () => {
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(safeUrl(' JavaScript:alert(1)')).toBeNull();
    expect(safeUrl('java\tscript:alert(1)')).toBeNull();
    expect(safeUrl('data:image/svg+xml,<svg/>')).toBeNull();
    expect(safeUrl('vbscript:x')).toBeNull();
    expect(safeUrl('ftp://x.example/a')).toBeNull();
  });

  it('drops empty values', () => {
    expect(safeUrl(null)).toBeNull();
    expect(safeUrl(undefined)).toBeNull();
    expect(safeUrl('')).toBeNull();
  });
});
