/**
 * Seeded randomness for tests that pick at random (the fuzz suite, kill -9 timing): the seed is
 * taken from the environment when given (to replay a failure) and otherwise chosen at random, and
 * every failure names it.
 */
import { randomInt } from "node:crypto";

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [min, max]. */
  between(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** `n` random bytes. */
  bytes(n: number): Buffer;
}

/** mulberry32: small, fast, and good enough to pick mutations; the same seed, the same picks. */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    pick: (items) => items[int(items.length)]!,
    bytes: (n) => Buffer.from(Array.from({ length: n }, () => int(256))),
  };
}

/** The seed in `$name` (a whole number), else a random one. */
export function seedFrom(name: string): number {
  const given = process.env[name];
  if (given !== undefined && given !== "") {
    if (!/^\d+$/.test(given)) throw new Error(`${name} must be a whole number`);
    return Number(given) >>> 0;
  }
  return randomInt(2 ** 31);
}

/** Runs `body`; a failure's message starts with how to replay it (`NAME=seed`). */
export async function replayable<T>(name: string, seed: number, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof Error) e.message = `[replay with ${name}=${seed}] ${e.message}`;
    throw e;
  }
}
