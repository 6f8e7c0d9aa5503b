/**
 * What a session token carries, and its compact binary encoding. Fields with a fixed AWS format
 * (DESIGN.md "Identifiers") are packed by that format: base32 key ids in 10 bytes, the 40-character
 * secret as its 30 bytes, the account id as a 5-byte integer. That keeps a token with a 64-character
 * user name and a 256-character MFA serial under 600 base64 characters. Claims outside those
 * formats are refused when sealing rather than stored loosely: decoding then proves the format.
 *
 * Layout (big-endian), after a version byte:
 *   accessKeyId   10   base32 body of ASIA…
 *   secret        30   base64-decoded
 *   accountId      5   integer, printed back with 12 digits
 *   principal      1   0 root | 1 user, then userId (11, base32 body of AIDA…) and userName (text)
 *   mfa            1   0 none | 1 serial (text) | 2 serial minus "arn:aws:iam::<account>:mfa/" (text),
 *                      then authenticatedAt (6)
 *   issuedAt       6   ms since the epoch
 *   expiresAt      6
 *   sourceKeyId   10   base32 body of AKIA…
 * text = 2-byte length + UTF-8.
 */
import { MalformedClaims, Reader, Writer } from "./binary.js";

export type Principal = { type: "root" } | { type: "user"; userId: string; userName: string };

export interface MfaClaim {
  serialNumber: string;
  /** ms since the epoch */
  authenticatedAt: number;
}

export interface SessionClaims {
  /** ASIA + 16 base32 */
  accessKeyId: string;
  /** 40 characters of the base64 alphabet */
  secretAccessKey: string;
  /** 12 digits */
  accountId: string;
  principal: Principal;
  mfa: MfaClaim | null;
  /** ms since the epoch */
  issuedAt: number;
  /** ms since the epoch */
  expiresAt: number;
  /** The AKIA key that called GetSessionToken. */
  sourceAccessKeyId: string;
}

const CLAIMS_VERSION = 1;
const PRINCIPAL_ROOT = 0;
const PRINCIPAL_USER = 1;
const MFA_NONE = 0;
const MFA_SERIAL = 1;
const MFA_SERIAL_IN_ACCOUNT = 2;

const SECRET = /^[A-Za-z0-9+/]{40}$/;
const SECRET_BYTES = 30;
const ACCOUNT = /^\d{12}$/;
const ACCOUNT_BYTES = 5;
const MAX_ACCOUNT = 999_999_999_999;

/** An AWS id: a fixed 4-letter prefix and a base32 body of fixed length. */
interface IdFormat {
  readonly prefix: string;
  readonly chars: number;
}
const TEMPORARY_KEY: IdFormat = { prefix: "ASIA", chars: 16 };
const LONG_TERM_KEY: IdFormat = { prefix: "AKIA", chars: 16 };
const USER_ID: IdFormat = { prefix: "AIDA", chars: 17 };

const virtualMfaPrefix = (accountId: string): string => `arn:aws:iam::${accountId}:mfa/`;

function writeId(w: Writer, format: IdFormat, value: string, field: string): void {
  if (!value.startsWith(format.prefix) || value.length !== format.prefix.length + format.chars) {
    throw new TypeError(`${field} is not ${format.prefix} + ${format.chars} base32 characters`);
  }
  w.base32(value.slice(format.prefix.length), field);
}

const readId = (r: Reader, format: IdFormat): string => format.prefix + r.base32(format.chars);

/** Throws TypeError when a claim is outside the formats the encoding carries. */
export function encodeClaims(claims: SessionClaims): Buffer {
  const w = new Writer();
  w.u8(CLAIMS_VERSION);
  writeId(w, TEMPORARY_KEY, claims.accessKeyId, "accessKeyId");
  if (!SECRET.test(claims.secretAccessKey)) throw new TypeError("secretAccessKey is not 40 base64 characters");
  w.bytes(Buffer.from(claims.secretAccessKey, "base64"));
  if (!ACCOUNT.test(claims.accountId)) throw new TypeError("accountId is not 12 digits");
  w.uint(Number(claims.accountId), ACCOUNT_BYTES, "accountId");

  if (claims.principal.type === "root") {
    w.u8(PRINCIPAL_ROOT);
  } else {
    w.u8(PRINCIPAL_USER);
    writeId(w, USER_ID, claims.principal.userId, "userId");
    w.text(claims.principal.userName, "userName");
  }

  if (claims.mfa === null) {
    w.u8(MFA_NONE);
  } else {
    // A virtual device's serial is its ARN in the same account: store only the part after it.
    const prefix = virtualMfaPrefix(claims.accountId);
    const serial = claims.mfa.serialNumber;
    if (serial.startsWith(prefix)) {
      w.u8(MFA_SERIAL_IN_ACCOUNT);
      w.text(serial.slice(prefix.length), "serialNumber");
    } else {
      w.u8(MFA_SERIAL);
      w.text(serial, "serialNumber");
    }
    w.time(claims.mfa.authenticatedAt, "authenticatedAt");
  }

  w.time(claims.issuedAt, "issuedAt");
  w.time(claims.expiresAt, "expiresAt");
  writeId(w, LONG_TERM_KEY, claims.sourceAccessKeyId, "sourceAccessKeyId");
  return w.finish();
}

/** Throws only MalformedClaims, whatever the input. */
export function decodeClaims(bytes: Buffer): SessionClaims {
  const r = new Reader(bytes);
  if (r.u8() !== CLAIMS_VERSION) throw new MalformedClaims("unknown version");
  const accessKeyId = readId(r, TEMPORARY_KEY);
  const secretAccessKey = r.take(SECRET_BYTES).toString("base64");
  const account = r.uint(ACCOUNT_BYTES);
  if (account > MAX_ACCOUNT) throw new MalformedClaims("account id out of range");
  const accountId = String(account).padStart(12, "0");

  let principal: Principal;
  const principalType = r.u8();
  if (principalType === PRINCIPAL_ROOT) {
    principal = { type: "root" };
  } else if (principalType === PRINCIPAL_USER) {
    const userId = readId(r, USER_ID);
    principal = { type: "user", userId, userName: r.text() };
  } else {
    throw new MalformedClaims("unknown principal type");
  }

  let mfa: MfaClaim | null;
  const mfaType = r.u8();
  if (mfaType === MFA_NONE) {
    mfa = null;
  } else if (mfaType === MFA_SERIAL || mfaType === MFA_SERIAL_IN_ACCOUNT) {
    const text = r.text();
    // The encoder always shortens an in-account ARN; a long form of one is not ours.
    if (mfaType === MFA_SERIAL && text.startsWith(virtualMfaPrefix(accountId))) {
      throw new MalformedClaims("non-canonical MFA serial");
    }
    const serialNumber = mfaType === MFA_SERIAL_IN_ACCOUNT ? virtualMfaPrefix(accountId) + text : text;
    mfa = { serialNumber, authenticatedAt: r.time() };
  } else {
    throw new MalformedClaims("unknown MFA type");
  }

  const issuedAt = r.time();
  const expiresAt = r.time();
  const sourceAccessKeyId = readId(r, LONG_TERM_KEY);
  r.end();
  return { accessKeyId, secretAccessKey, accountId, principal, mfa, issuedAt, expiresAt, sourceAccessKeyId };
}
