/**
 * The token keys. The newest key active at `now` seals; every key still in the ring opens.
 * A key's `createdAt` is the moment it takes over sealing, so a key may be added ahead of time
 * (createdAt in the future): every server process can load it before any process seals with it.
 * A superseded key stays until the longest session has had time to expire after its successor
 * took over; only then does `prune` drop it. The ring is immutable: `add` and `prune` return a
 * new ring, so a reader never sees one half-changed.
 */

/** The longest GetSessionToken lifetime: 129600 s (36 h). */
export const MAX_SESSION_LIFETIME_MS = 129_600 * 1000;

const KEY_BYTES = 32;
const MAX_KEY_ID = 0xffff_ffff;
const JSON_VERSION = 1;
const ROTATE_ATTEMPTS = 16;

export interface TokenKey {
  /** uint32; travels in clear in every token to pick the key. */
  readonly id: number;
  /** 32 bytes, AES-256-GCM */
  readonly key: Buffer;
  /** ms since the epoch at which this key takes over sealing */
  readonly createdAt: number;
}

export interface KeyRingJSON {
  version: 1;
  keys: { id: number; key: string; createdAt: number }[];
}

/** The part of the project's `Random` (src/ids.ts) a rotation needs. */
export interface RandomBytes {
  bytes(n: number): Buffer;
}

function checkKey(key: TokenKey): TokenKey {
  if (!Number.isInteger(key.id) || key.id < 0 || key.id > MAX_KEY_ID) {
    throw new Error("a token key id must be a uint32");
  }
  if (!Buffer.isBuffer(key.key) || key.key.length !== KEY_BYTES) throw new Error("a token key must be 32 bytes");
  if (!Number.isSafeInteger(key.createdAt)) throw new Error("a token key's createdAt must be ms since the epoch");
  // A copy, so that nobody holding the caller's buffer can change a key in the ring.
  return Object.freeze({ id: key.id, key: Buffer.from(key.key), createdAt: key.createdAt });
}

export class KeyRing {
  /** Oldest first; keys created at the same ms keep the order they were added in. */
  private readonly sorted: readonly TokenKey[];

  constructor(keys: Iterable<TokenKey> = []) {
    const checked = [...keys].map(checkKey);
    if (new Set(checked.map((k) => k.id)).size !== checked.length) throw new Error("token key ids must be unique");
    this.sorted = checked.sort((a, b) => a.createdAt - b.createdAt); // stable since ES2019
  }

  get keys(): readonly TokenKey[] {
    return this.sorted;
  }

  /** The key that seals at `now`: the newest one already active. Throws when there is none. */
  current(now: number): TokenKey {
    for (let i = this.sorted.length - 1; i >= 0; i--) {
      const key = this.sorted[i]!;
      if (key.createdAt <= now) return key;
    }
    throw new Error("the token key ring has no key active now");
  }

  find(id: number): TokenKey | undefined {
    return this.sorted.find((k) => k.id === id);
  }

  add(key: TokenKey): KeyRing {
    return new KeyRing([...this.sorted, key]);
  }

  /**
   * A fresh key taking over at `now`, to `add`. Its id is random rather than "last + 1" so that two
   * processes rotating at once make two distinct ids, never one id with two different keys.
   */
  rotate(now: number, random: RandomBytes): TokenKey {
    for (let attempt = 0; attempt < ROTATE_ATTEMPTS; attempt++) {
      const id = exactly(random.bytes(4), 4).readUInt32BE(0);
      if (this.find(id) !== undefined) continue;
      return checkKey({ id, key: exactly(random.bytes(KEY_BYTES), KEY_BYTES), createdAt: now });
    }
    throw new Error("could not draw an unused token key id");
  }

  /** Whether the newest key (active or scheduled) is at least `rotationIntervalMs` old. */
  shouldRotate(now: number, rotationIntervalMs: number): boolean {
    const newest = this.sorted.at(-1);
    return newest === undefined || now - newest.createdAt >= rotationIntervalMs;
  }

  /**
   * The keys that may still open unexpired tokens. A key's last token was sealed just before its
   * successor took over and lives at most MAX_SESSION_LIFETIME_MS, so the key is kept until that
   * span has fully passed.
   */
  retainable(now: number): readonly TokenKey[] {
    return this.sorted.filter((_, i) => {
      const successor = this.sorted[i + 1];
      return successor === undefined || now - successor.createdAt <= MAX_SESSION_LIFETIME_MS;
    });
  }

  prune(now: number): KeyRing {
    return new KeyRing(this.retainable(now));
  }

  /** Plain data for storage; the caller seals it with the master key. */
  toJSON(): KeyRingJSON {
    return {
      version: JSON_VERSION,
      keys: this.sorted.map((k) => ({ id: k.id, key: k.key.toString("base64"), createdAt: k.createdAt })),
    };
  }

  /** Throws on anything that is not a ring written by `toJSON`. */
  static fromJSON(value: unknown): KeyRing {
    if (!isRecord(value) || value.version !== JSON_VERSION || !Array.isArray(value.keys)) {
      throw new Error("not a token key ring");
    }
    return new KeyRing(
      value.keys.map((entry: unknown) => {
        const { id, key, createdAt } = isRecord(entry) ? entry : {};
        if (typeof id !== "number" || typeof key !== "string" || typeof createdAt !== "number") {
          throw new Error("not a token key ring entry");
        }
        const material = Buffer.from(key, "base64");
        if (material.toString("base64") !== key) throw new Error("a token key is not base64");
        return { id, key: material, createdAt };
      }),
    );
  }
}

function exactly(bytes: Buffer, size: number): Buffer {
  if (bytes.length !== size) throw new Error(`the random source gave ${bytes.length} bytes, not ${size}`);
  return bytes;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;
