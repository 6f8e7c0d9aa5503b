/**
 * AWS identifier formats (DESIGN.md "Identifiers"): account ids, AIDA user ids, AKIA/ASIA key
 * ids, 40-character secrets, request ids. All randomness comes from the injected `Random`.
 */
import { randomBytes, randomUUID, randomInt } from "node:crypto";

export interface Random {
  bytes(n: number): Buffer;
  uuid(): string;
  /** An integer in [0, max). */
  int(max: number): number;
}

export const cryptoRandom: Random = { bytes: randomBytes, uuid: randomUUID, int: (max) => randomInt(max) };

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function pick(random: Random, alphabet: string, length: number): string {
  // Alphabets of 32 and 64 characters divide 256, so `byte % n` is unbiased.
  const bytes = random.bytes(length);
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

export const newAccountId = (random: Random): string => String(random.int(1_000_000_000_000)).padStart(12, "0");
export const newUserId = (random: Random): string => `AIDA${pick(random, BASE32, 17)}`;
export const newGroupId = (random: Random): string => `AGPA${pick(random, BASE32, 17)}`;
export const newPolicyId = (random: Random): string => `ANPA${pick(random, BASE32, 17)}`;
export const newRoleId = (random: Random): string => `AROA${pick(random, BASE32, 17)}`;
export const newAccessKeyId = (random: Random): string => `AKIA${pick(random, BASE32, 16)}`;
export const newTemporaryAccessKeyId = (random: Random): string => `ASIA${pick(random, BASE32, 16)}`;
export const newSecretAccessKey = (random: Random): string => pick(random, BASE64, 40);

export const isAccountId = (text: string): boolean => /^\d{12}$/.test(text);
