/**
 * A map bounded to `capacity` entries that forgets the least recently used one first: the
 * caches on the request path (signing keys, opened session tokens, session users) must not grow
 * with the number of distinct credentials a client can make up. A Map iterates in insertion
 * order, so "used" means taken out and put back in.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The value, now the most recently used; undefined when absent. */
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  /** Stores the value as the most recently used, forgetting the least recently used if full. */
  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * One LruCache per owner (a store: tests and the library run several in one process), made on
 * first use and gone with its owner.
 */
export class LruCachesBy<O extends object, K, V> {
  private readonly caches = new WeakMap<O, LruCache<K, V>>();

  constructor(readonly capacity: number) {}

  of(owner: O): LruCache<K, V> {
    let cache = this.caches.get(owner);
    if (!cache) {
      cache = new LruCache<K, V>(this.capacity);
      this.caches.set(owner, cache);
    }
    return cache;
  }

  /** Drops the owner's cache: the next `of` starts an empty one. */
  forget(owner: O): void {
    this.caches.delete(owner);
  }
}
