/**
 * The in-process cache tier: least-recently-used, bounded both by entry count and by an estimate of bytes
 * held (string length of the key and of the value's JSON form), so a burst of large entries cannot exhaust memory.
 */
export class LruCache<V> {
  private readonly map = new Map<string, { value: V; bytes: number }>();
  private bytes = 0;
  /**
   * Walks the map from its oldest entry and is kept between evictions. A fresh `keys()` each time would rescan the
   * deleted slots V8 leaves at the front of a Map until it rehashes, making each eviction cost the cache size.
   * Everything the walk has passed was evicted or re-inserted at the end, where the walk meets it again.
   */
  private evictionWalk: Iterator<string> | undefined;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {}

  get(key: string): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    // Re-insert to mark as most recently used (a Map iterates in insertion order).
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.value;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  set(key: string, value: V, bytes: number = estimateBytes(value)): void {
    const old = this.map.get(key);
    if (old) {
      this.bytes -= old.bytes;
      this.map.delete(key);
    }
    bytes += 2 * key.length;
    if (bytes > this.maxBytes) return; // larger than the whole cache: not cached
    this.map.set(key, { value, bytes });
    this.bytes += bytes;
    while (this.map.size > this.maxEntries || this.bytes > this.maxBytes) {
      let next = (this.evictionWalk ??= this.map.keys()).next();
      if (next.done) next = (this.evictionWalk = this.map.keys()).next();
      const oldest = next.value as string;
      this.bytes -= this.map.get(oldest)!.bytes;
      this.map.delete(oldest);
    }
  }

  clear(): void {
    this.map.clear();
    this.bytes = 0;
    this.evictionWalk = undefined;
  }

  get size(): number {
    return this.map.size;
  }

  get byteSize(): number {
    return this.bytes;
  }
}

export function estimateBytes(value: unknown): number {
  return value === undefined ? 0 : 2 * JSON.stringify(value).length + 64;
}
