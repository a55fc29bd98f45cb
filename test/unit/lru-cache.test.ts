import { describe, expect, it } from 'vitest';
import { LruCache, estimateBytes } from '../../src/knowledge/lru-cache.js';

describe('LruCache', () => {
  it('evicts the least recently used entry beyond its entry bound', () => {
    const c = new LruCache<number>(3, 1_000_000);
    c.set('a', 1);
    c.set('b', 2);
    c.set('c', 3);
    expect(c.get('a')).toBe(1); // a is now the most recent
    c.set('d', 4);
    expect([c.has('a'), c.has('b'), c.has('c'), c.has('d')]).toEqual([true, false, true, true]);
    expect(c.size).toBe(3);
  });

  it('evicts by bytes too, and never keeps a value larger than the whole cache', () => {
    const c = new LruCache<string>(100, 1000);
    c.set('x', 'a', 400);
    c.set('y', 'b', 400);
    c.set('z', 'c', 400);
    expect([c.has('x'), c.has('y'), c.has('z')]).toEqual([false, true, true]);
    expect(c.byteSize).toBe(800);
    c.set('huge', 'd', 1001);
    expect(c.has('huge')).toBe(false);
    expect(c.byteSize).toBe(800);
  });

  it('replacing a key adjusts the byte count, and null is a value (a cached "not found")', () => {
    const c = new LruCache<unknown>(10, 10_000);
    c.set('k', null);
    expect(c.has('k')).toBe(true);
    expect(c.get('k')).toBe(null);
    c.set('k', 'longer value');
    expect(c.byteSize).toBe(estimateBytes('longer value'));
    expect(c.size).toBe(1);
  });
});
