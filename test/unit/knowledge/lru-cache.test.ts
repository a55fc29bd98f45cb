import { describe, expect, it } from 'vitest';
import { LruCache, estimateBytes } from '../../../src/knowledge/lru-cache.js';

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
    expect(c.byteSize).toBe(804); // each entry also counts its one-character key (2 bytes)
    c.set('huge', 'd', 1001);
    expect(c.has('huge')).toBe(false);
    expect(c.byteSize).toBe(804);
  });

  it('replacing a key adjusts the byte count, and null is a value (a cached "not found")', () => {
    const c = new LruCache<unknown>(10, 10_000);
    c.set('k', null);
    expect(c.has('k')).toBe(true);
    expect(c.get('k')).toBe(null);
    c.set('k', 'longer value');
    expect(c.byteSize).toBe(estimateBytes('longer value') + 2);
    expect(c.size).toBe(1);
  });

  it('keeps exact least-recently-used order through heavy churn (the eviction walk survives deletes and re-inserts)', () => {
    const c = new LruCache<number>(50, 1_000_000_000);
    const model: string[] = []; // oldest first
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    for (let step = 0; step < 20_000; step++) {
      const key = `k${rnd(120)}`;
      if (rnd(3) === 0) {
        const hit = c.get(key);
        const at = model.indexOf(key);
        expect(hit === undefined).toBe(at < 0);
        if (at >= 0) model.push(...model.splice(at, 1));
      } else {
        c.set(key, step);
        const at = model.indexOf(key);
        if (at >= 0) model.splice(at, 1);
        model.push(key);
        if (model.length > 50) model.shift();
      }
    }
    expect(c.size).toBe(model.length);
    for (const k of model) expect(c.has(k)).toBe(true);
    expect(model.length).toBe(50);
  });
});
