import { join } from "node:path";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { SecretBox } from "../crypto/secret-box.js";
import { cryptoRandom } from "../ids.js";
import { SqliteStore } from "../store/sqlite.js";
import type { SessionClaims } from "./claims.js";
import { MAX_SESSION_LIFETIME_MS } from "./key-ring.js";
import { tokenKeyId } from "./seal.js";
import { ROTATION_INTERVAL_MS, TokenKeys } from "./token-keys.js";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);

const claims = (issuedAt: number): SessionClaims => ({
  accessKeyId: "ASIAAAAAAAAAAAAAAAAA",
  secretAccessKey: "a".repeat(40),
  accountId: "123456789012",
  principal: { type: "root" },
  mfa: null,
  issuedAt,
  expiresAt: issuedAt + HOUR,
  sourceAccessKeyId: "AKIAAAAAAAAAAAAAAAAA",
});

describe("TokenKeys", () => {
  const stores: SqliteStore[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  function setup(file = join(mkdtempSync(join(tmpdir(), "token-keys-")), "db")) {
    const store = new SqliteStore(file);
    stores.push(store);
    const clock = { ms: T0, now() { return this.ms; } };
    const deps = { store, secrets: new SecretBox(Buffer.alloc(32, 1)), clock, random: cryptoRandom };
    return { deps, clock, file };
  }

  it("keeps its keys in the store, sealed: a restarted server opens old tokens", async () => {
    const { deps, file } = setup();
    const token = await (await TokenKeys.load(deps)).seal(claims(T0));
    const stored = await deps.store.listTokenKeys();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.sealedKey).toMatch(/^v1\./);

    const again = setup(file);
    again.clock.ms = T0 + HOUR;
    expect(await (await TokenKeys.load(again.deps)).open(token)).toEqual(claims(T0));
  });

  it("rotates daily, still opens the previous key's tokens, and drops a key once none of its tokens can be alive", async () => {
    const { deps, clock } = setup();
    const keys = await TokenKeys.load(deps);
    const first = await keys.seal(claims(T0));

    clock.ms = T0 + ROTATION_INTERVAL_MS;
    const second = await keys.seal(claims(clock.ms));
    expect(tokenKeyId(second)).not.toBe(tokenKeyId(first));
    expect(await deps.store.listTokenKeys()).toHaveLength(2);
    expect(await keys.open(first)).toEqual(claims(T0));

    // The next rotation comes after the longest session sealed by the first key has expired.
    clock.ms = T0 + ROTATION_INTERVAL_MS + MAX_SESSION_LIFETIME_MS + 1 + ROTATION_INTERVAL_MS;
    await keys.seal(claims(clock.ms));
    const ids = (await deps.store.listTokenKeys()).map((k) => k.id);
    expect(ids).not.toContain(tokenKeyId(first));
    expect(ids).toContain(tokenKeyId(second));
    expect(await keys.open(first)).toBeUndefined();
    expect(await keys.open(second)).toEqual(claims(T0 + ROTATION_INTERVAL_MS));
  });

  it("a key rotated in by another process is picked up when a token names it", async () => {
    const { deps, clock } = setup();
    const mine = await TokenKeys.load(deps);
    const theirs = await TokenKeys.load(deps);
    clock.ms = T0 + ROTATION_INTERVAL_MS;
    const token = await theirs.seal(claims(clock.ms));
    expect(await mine.open(token)).toEqual(claims(clock.ms));
  });

  it("two processes due to rotate at once add one key between them, and each opens the other's tokens at once", async () => {
    const { deps, clock } = setup();
    const mine = await TokenKeys.load(deps);
    const theirs = await TokenKeys.load(deps);
    clock.ms = T0 + ROTATION_INTERVAL_MS;
    const theirToken = await theirs.seal(claims(clock.ms));
    const myToken = await mine.seal(claims(clock.ms));
    expect(await deps.store.listTokenKeys()).toHaveLength(2);
    expect(tokenKeyId(myToken)).toBe(tokenKeyId(theirToken));
    // Before, both rotated; `theirs` had just reloaded and refused `mine`'s key for a second.
    expect(await theirs.open(myToken)).toEqual(claims(clock.ms));
    expect(await mine.open(theirToken)).toEqual(claims(clock.ms));
  });

  it("unknown key ids reload the ring at most once a second", async () => {
    const { deps, clock } = setup();
    const keys = await TokenKeys.load(deps);
    let reads = 0;
    const list = deps.store.listTokenKeys.bind(deps.store);
    deps.store.listTokenKeys = async () => {
      reads++;
      return list();
    };
    clock.ms += 1000; // a second after loading
    const forged = Buffer.alloc(64, 0);
    forged.writeUInt8(1, 0);
    for (let id = 1; id <= 50; id++) {
      forged.writeUInt32BE(id, 1);
      expect(await keys.open(forged.toString("base64"))).toBeUndefined();
    }
    expect(reads).toBe(1);
    clock.ms += 1000;
    await keys.open(forged.toString("base64"));
    expect(reads).toBe(2);
  });

  it("a clock stepped back behind every key still seals", async () => {
    const { deps, clock } = setup();
    const keys = await TokenKeys.load(deps);
    clock.ms = T0 - HOUR;
    const token = await keys.seal(claims(clock.ms));
    expect(await keys.open(token)).toEqual(claims(T0 - HOUR));
  });
});
