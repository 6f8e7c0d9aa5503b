import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KeyRing, MAX_SESSION_LIFETIME_MS, type TokenKey } from "./key-ring.js";

const HOUR = 3_600_000;
const T0 = 1_726_302_305_611;
const cryptoRandom = { bytes: randomBytes };
const key = (id: number, createdAt: number): TokenKey => ({ id, key: Buffer.alloc(32, id), createdAt });

describe("KeyRing", () => {
  it("seals with the newest key already active, ignoring one scheduled for later", () => {
    const ring = new KeyRing([key(2, T0 + HOUR), key(1, T0), key(3, T0 + 10 * HOUR)]);
    expect(ring.current(T0).id).toBe(1);
    expect(ring.current(T0 + HOUR).id).toBe(2);
    expect(ring.current(T0 + 9 * HOUR).id).toBe(2);
    expect(ring.current(T0 + 10 * HOUR).id).toBe(3);
    expect(() => ring.current(T0 - 1)).toThrow();
    expect(() => new KeyRing().current(T0)).toThrow();
  });

  it("finds keys by id and refuses bad or duplicate keys", () => {
    const ring = new KeyRing([key(7, T0)]);
    expect(ring.find(7)?.key).toEqual(Buffer.alloc(32, 7));
    expect(ring.find(8)).toBeUndefined();
    expect(() => ring.add(key(7, T0 + 1))).toThrow();
    expect(() => new KeyRing([{ id: 1, key: Buffer.alloc(16), createdAt: T0 }])).toThrow();
    expect(() => new KeyRing([key(-1, T0)])).toThrow();
    expect(() => new KeyRing([key(2 ** 32, T0)])).toThrow();
    expect(() => new KeyRing([key(1.5, T0)])).toThrow();
    expect(() => new KeyRing([key(1, Number.NaN)])).toThrow();
  });

  it("copies key material, so the caller's buffer cannot change the ring", () => {
    const material = Buffer.alloc(32, 1);
    const ring = new KeyRing([{ id: 1, key: material, createdAt: T0 }]);
    material.fill(9);
    expect(ring.find(1)?.key).toEqual(Buffer.alloc(32, 1));
  });

  it("rotates to a fresh random key that takes over at once, even within the same ms", () => {
    let ring = new KeyRing();
    ring = ring.add(ring.rotate(T0, cryptoRandom));
    const first = ring.current(T0);
    const second = ring.rotate(T0, cryptoRandom);
    expect(second.id).not.toBe(first.id);
    expect(second.key).not.toEqual(first.key);
    expect(second.createdAt).toBe(T0);
    ring = ring.add(second);
    expect(ring.current(T0).id).toBe(second.id);
    expect(ring.keys).toHaveLength(2);
  });

  it("draws another id when the random id is taken, and gives up on a stuck source", () => {
    const ring = new KeyRing([key(1, T0)]);
    const queue = [Buffer.from([0, 0, 0, 1]), Buffer.from([0, 0, 0, 2]), Buffer.alloc(32, 0xaa)];
    const scripted = { bytes: (n: number) => queue.shift()!.subarray(0, n) };
    expect(ring.rotate(T0 + 1, scripted)).toEqual({ id: 2, key: Buffer.alloc(32, 0xaa), createdAt: T0 + 1 });
    const stuck = { bytes: (n: number) => (n === 4 ? Buffer.from([0, 0, 0, 1]) : Buffer.alloc(n)) };
    expect(() => ring.rotate(T0, stuck)).toThrow(/unused/);
    expect(() => ring.rotate(T0, { bytes: () => Buffer.alloc(3) })).toThrow();
  });

  it("says when to rotate, counting from the newest key whether active or scheduled", () => {
    expect(new KeyRing().shouldRotate(T0, 24 * HOUR)).toBe(true);
    const ring = new KeyRing([key(1, T0)]);
    expect(ring.shouldRotate(T0 + 24 * HOUR - 1, 24 * HOUR)).toBe(false);
    expect(ring.shouldRotate(T0 + 24 * HOUR, 24 * HOUR)).toBe(true);
    expect(ring.add(key(2, T0 + 30 * HOUR)).shouldRotate(T0 + 25 * HOUR, 24 * HOUR)).toBe(false);
  });

  it("keeps a superseded key for 36 h after its successor took over, and drops it after", () => {
    expect(MAX_SESSION_LIFETIME_MS).toBe(129_600_000);
    const takeover = T0 + 24 * HOUR;
    const ring = new KeyRing([key(1, T0), key(2, takeover)]);
    const ids = (r: KeyRing) => r.keys.map((k) => k.id);
    expect(ids(ring.prune(takeover))).toEqual([1, 2]);
    expect(ids(ring.prune(takeover + MAX_SESSION_LIFETIME_MS - 1))).toEqual([1, 2]);
    expect(ids(ring.prune(takeover + MAX_SESSION_LIFETIME_MS))).toEqual([1, 2]);
    expect(ids(ring.prune(takeover + MAX_SESSION_LIFETIME_MS + 1))).toEqual([2]);
    expect(ring.retainable(takeover + MAX_SESSION_LIFETIME_MS + 1).map((k) => k.id)).toEqual([2]);
    // The newest key is never dropped, however old.
    expect(ids(ring.prune(takeover + 1000 * HOUR))).toEqual([2]);
  });

  it("counts from the successor's takeover, not from the key's own age, and not before a scheduled takeover", () => {
    const ring = new KeyRing([key(1, T0), key(2, T0 + 100 * HOUR), key(3, T0 + 101 * HOUR)]);
    const ids = (now: number) => ring.prune(now).keys.map((k) => k.id);
    // Key 1 is 100 h old but superseded only at +100 h.
    expect(ids(T0 + 100 * HOUR + MAX_SESSION_LIFETIME_MS)).toEqual([1, 2, 3]);
    expect(ids(T0 + 100 * HOUR + MAX_SESSION_LIFETIME_MS + 1)).toEqual([2, 3]);
    expect(ids(T0 + 101 * HOUR + MAX_SESSION_LIFETIME_MS + 1)).toEqual([3]);
    const scheduled = new KeyRing([key(1, T0), key(2, T0 + 1000 * HOUR)]);
    expect(scheduled.prune(T0 + 500 * HOUR).keys).toHaveLength(2);
  });

  it("survives a JSON round trip and refuses anything else", () => {
    const ring = new KeyRing([key(1, T0), key(0xffff_ffff, T0 + HOUR)]);
    const back = KeyRing.fromJSON(JSON.parse(JSON.stringify(ring)));
    expect(back.keys).toEqual(ring.keys);
    expect(back.current(T0 + HOUR).id).toBe(0xffff_ffff);

    const good = ring.toJSON();
    const entry = good.keys[0]!;
    for (const bad of [
      null,
      "ring",
      [],
      { ...good, version: 2 },
      { version: 1 },
      { version: 1, keys: [null] },
      { version: 1, keys: [{ ...entry, key: entry.key.slice(4) }] },
      { version: 1, keys: [{ ...entry, key: `${entry.key.slice(0, -1)}_` }] },
      { version: 1, keys: [{ ...entry, id: "1" }] },
      { version: 1, keys: [{ ...entry, createdAt: "2024" }] },
      { version: 1, keys: [entry, entry] },
    ]) {
      expect(() => KeyRing.fromJSON(bad)).toThrow();
    }
  });
});
