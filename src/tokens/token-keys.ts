/**
 * The server's session-token key ring, kept in the store with each key sealed by the master key,
 * so every server process on one store seals and opens with the same keys (DESIGN.md decision 1).
 *
 * Rotation: when the newest key is ROTATION_INTERVAL_MS old, the next seal adds a fresh key —
 * unless the store already has one from another process — and drops the keys no unexpired token
 * can need any more (KeyRing.retainable). A token naming a key this process has not loaded
 * (another process rotated) triggers one reload of the ring, at most once per RELOAD_INTERVAL_MS,
 * so garbage tokens cannot turn into a database read each.
 */
import type { SecretBox } from "../crypto/secret-box.js";
import type { Clock } from "../clock.js";
import type { Random } from "../ids.js";
import type { Store } from "../store/store.js";
import type { SessionClaims } from "./claims.js";
import { KeyRing, type TokenKey } from "./key-ring.js";
import { openToken, sealToken, tokenKeyId } from "./seal.js";
import { LruCache } from "../lru-cache.js";
import { SIGNING_KEY_CACHE_SIZE } from "../sigv4/constants.js";

export const ROTATION_INTERVAL_MS = 24 * 60 * 60 * 1000;
const RELOAD_INTERVAL_MS = 1000;
/** Opened tokens kept, one per active session like the signing keys: about 5 MB at 10 000 (a token is ~500 characters). */
const OPENED_CACHE_SIZE = SIGNING_KEY_CACHE_SIZE;

const keyContext = (id: number): string => `token-key:${id}`;

/** A stored key that the master key does not open: the data was sealed under another master key. */
export class MasterKeyMismatch extends Error {}

export interface TokenKeysDeps {
  store: Store;
  secrets: SecretBox;
  clock: Clock;
  random: Random;
}

export class TokenKeys {
  private ring = new KeyRing();
  private lastReload = Number.NEGATIVE_INFINITY;
  private rotating: Promise<void> | undefined;
  /** Tokens already opened. */
  private readonly opened = new LruCache<string, SessionClaims>(OPENED_CACHE_SIZE);

  private constructor(private readonly deps: TokenKeysDeps) {}

  /** Loads the ring, adding its first key when the store has none. */
  static async load(deps: TokenKeysDeps): Promise<TokenKeys> {
    const keys = new TokenKeys(deps);
    await keys.reload();
    await keys.rotateIfDue(deps.clock.now());
    return keys;
  }

  async seal(claims: SessionClaims): Promise<string> {
    const now = this.deps.clock.now();
    await this.rotateIfDue(now);
    // A clock stepped back behind every key still seals, with the oldest key.
    return sealToken(claims, this.ring, Math.max(now, this.ring.keys[0]?.createdAt ?? now));
  }

  /** The claims of a token sealed by any key of the ring, else undefined. Never throws. */
  async open(token: string): Promise<SessionClaims | undefined> {
    // A session's every request carries the same token: open it once (AES-GCM is ~9 % of a
    // request). Only tokens that opened are remembered, so garbage cannot fill the cache, and a
    // token's claims never change. Expiry is checked by the caller on every request.
    const known = this.opened.get(token);
    if (known !== undefined) return known;
    const id = tokenKeyId(token);
    if (id === undefined) return undefined;
    if (this.ring.find(id) === undefined) {
      const now = this.deps.clock.now();
      if (now - this.lastReload < RELOAD_INTERVAL_MS) return undefined;
      await this.reload();
    }
    const claims = openToken(token, this.ring);
    if (claims !== undefined) {
      this.opened.set(token, claims);
    }
    return claims;
  }

  private async reload(): Promise<void> {
    this.lastReload = this.deps.clock.now();
    const stored = await this.deps.store.listTokenKeys();
    this.ring = new KeyRing(
      stored.map(
        (k): TokenKey => ({
          id: k.id,
          key: Buffer.from(this.openKey(k.sealedKey, k.id), "base64"),
          createdAt: k.createdAt,
        }),
      ),
    );
  }

  private openKey(sealed: string, id: number): string {
    try {
      return this.deps.secrets.open(sealed, keyContext(id));
    } catch {
      throw new MasterKeyMismatch(`token key ${id} does not open under this master key`);
    }
  }

  private async rotateIfDue(now: number): Promise<void> {
    if (!this.ring.shouldRotate(now, ROTATION_INTERVAL_MS)) return;
    // One rotation at a time in this process; concurrent sealers wait for it.
    this.rotating ??= this.rotate(now).finally(() => (this.rotating = undefined));
    await this.rotating;
  }

  private async rotate(now: number): Promise<void> {
    // Another process on the store (a sibling worker) may have rotated already: use its key
    // rather than add a second one, which that process would not know for up to RELOAD_INTERVAL_MS.
    // Two processes reloading in the same instant can still both add one (each then meets the
    // other's key within RELOAD_INTERVAL_MS); this narrows that to the instant.
    await this.reload();
    if (!this.ring.shouldRotate(now, ROTATION_INTERVAL_MS)) return;
    const key = this.ring.rotate(now, this.deps.random);
    await this.deps.store.addTokenKey({
      id: key.id,
      sealedKey: this.deps.secrets.seal(key.key.toString("base64"), keyContext(key.id)),
      createdAt: key.createdAt,
    });
    await this.reload();
    const retained = new Set(this.ring.retainable(now).map((k) => k.id));
    const expired = this.ring.keys.filter((k) => !retained.has(k.id)).map((k) => k.id);
    if (expired.length > 0) {
      await this.deps.store.deleteTokenKeys(expired);
      this.ring = this.ring.prune(now);
      // Tokens of a dropped key no longer open, even those opened before.
      this.opened.clear();
    }
  }
}
