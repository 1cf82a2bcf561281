import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../../src/ledger/store/bounded-cache.js';

describe('BoundedCache', () => {
  it('keeps at most its bound, dropping the oldest insertion; a re-set key keeps its place', () => {
    const c = new BoundedCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    c.set('a', 3);
    expect(c.size).toBe(2);
    expect(c.get('a')).toBe(3);
    c.set('c', 4);
    expect(c.size).toBe(2);
    expect(c.get('a')).toBeUndefined();
    expect(c.get('b')).toBe(2);
    expect(c.get('c')).toBe(4);
  });
});
