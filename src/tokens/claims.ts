/**
 * What a session token carries, and its compact binary encoding. Fields with a fixed AWS format
 * (DESIGN.md "Identifiers") are packed by that format: base32 key ids in 10 bytes, the 40-character
 * secret as its 30 bytes, the account id as a 5-byte integer. That keeps a token with a 64-character
 * user name and a 256-character MFA serial under 600 base64 characters. Claims outside those
 * formats are refused when sealing rather than stored loosely: decoding then proves the format.
 *
 * Layout (big-endian), after a version byte (1: root and user sessions, from GetSessionToken;
 * 2: role sessions, from AssumeRole — version 1 tokens issued before roles existed still open):
 *   accessKeyId   10   base32 body of ASIA…
 *   secret        30   base64-decoded
 *   accountId      5   integer, printed back with 12 digits
 *   principal     v1: 1 byte, 0 root | 1 user, then userId (11, base32 body of AIDA…) and userName (text)
 *                 v2: roleId (11, base32 body of AROA…), roleName (text), sessionName (text)
 *   mfa            1   0 none | 1 serial (text) | 2 serial minus "arn:aws:iam::<account>:mfa/" (text),
 *                      then authenticatedAt (6)
 *   issuedAt       6   ms since the epoch
 *   expiresAt      6
 *   sourceKeyId   v1: 10, base32 body of AKIA…; v2: 1 byte (0 AKIA | 1 ASIA: role chaining) then 10
 *   v2 only:      chained (1), sourceIdentity (text, "" for none), session policy (text up to
 *                 POLICY_BYTES, "" for none), policy ARNs (1-byte count, texts), tags (1-byte count,
 *                 key and value texts), transitive tag keys (1-byte count, texts)
 * text = 2-byte length + UTF-8.
 */
import { MalformedClaims, Reader, Writer } from "./binary.js";

export type Principal =
  | { type: "root" }
  | { type: "user"; userId: string; userName: string }
  | { type: "role"; roleId: string; roleName: string; sessionName: string };

export interface SessionTag {
  key: string;
  value: string;
}

/** What AssumeRole adds to a role session's claims. */
export interface RoleSessionClaims {
  /** Assumed with temporary credentials (role chaining: at most one hour, spec §5). */
  chained: boolean;
  sourceIdentity: string | null;
  /** The session policy (AssumeRole's Policy) as sent; null when none. */
  policy: string | null;
  /** Managed session policies (AssumeRole's PolicyArns). */
  policyArns: string[];
  /** Session tags, inherited transitive ones first. */
  tags: SessionTag[];
  /** Keys of the tags that pass on to sessions assumed from this one. */
  transitiveTagKeys: string[];
}

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
  /** The key that called GetSessionToken (AKIA…) or AssumeRole (AKIA…, or ASIA… when chaining). */
  sourceAccessKeyId: string;
  /** Present exactly when the principal is a role. */
  role?: RoleSessionClaims;
}

const USER_CLAIMS_VERSION = 1;
const ROLE_CLAIMS_VERSION = 2;
/** A session policy is at most 2,048 characters of U+0009…U+00FF (2 UTF-8 bytes each at most). */
const POLICY_BYTES = 4096;
/** AssumeRole's PolicyArns accept up to 2048 characters each (ASCII: one byte each). */
const POLICY_ARN_BYTES = 2048;
/** AssumeRole's list limits (PolicyArns 10, Tags 50, TransitiveTagKeys 50) fit a 1-byte count. */
const MAX_LIST = 255;
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
const ROLE_ID: IdFormat = { prefix: "AROA", chars: 17 };
const SOURCE_LONG_TERM = 0;
const SOURCE_TEMPORARY = 1;

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
  const role = claims.principal.type === "role" ? claims.role : undefined;
  if ((claims.principal.type === "role") !== (claims.role !== undefined)) throw new TypeError("role claims without a role principal, or the reverse");
  const w = new Writer();
  w.u8(role ? ROLE_CLAIMS_VERSION : USER_CLAIMS_VERSION);
  writeId(w, TEMPORARY_KEY, claims.accessKeyId, "accessKeyId");
  if (!SECRET.test(claims.secretAccessKey)) throw new TypeError("secretAccessKey is not 40 base64 characters");
  w.bytes(Buffer.from(claims.secretAccessKey, "base64"));
  if (!ACCOUNT.test(claims.accountId)) throw new TypeError("accountId is not 12 digits");
  w.uint(Number(claims.accountId), ACCOUNT_BYTES, "accountId");

  if (claims.principal.type === "root") {
    w.u8(PRINCIPAL_ROOT);
  } else if (claims.principal.type === "user") {
    w.u8(PRINCIPAL_USER);
    writeId(w, USER_ID, claims.principal.userId, "userId");
    w.text(claims.principal.userName, "userName");
  } else {
    writeId(w, ROLE_ID, claims.principal.roleId, "roleId");
    w.text(claims.principal.roleName, "roleName");
    w.text(claims.principal.sessionName, "sessionName");
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
  if (!role) {
    writeId(w, LONG_TERM_KEY, claims.sourceAccessKeyId, "sourceAccessKeyId");
    return w.finish();
  }
  const temporary = claims.sourceAccessKeyId.startsWith(TEMPORARY_KEY.prefix);
  w.u8(temporary ? SOURCE_TEMPORARY : SOURCE_LONG_TERM);
  writeId(w, temporary ? TEMPORARY_KEY : LONG_TERM_KEY, claims.sourceAccessKeyId, "sourceAccessKeyId");
  w.u8(role.chained ? 1 : 0);
  w.text(role.sourceIdentity ?? "", "sourceIdentity");
  w.text(role.policy ?? "", "policy", POLICY_BYTES);
  writeList(w, role.policyArns, "policyArns", (arn) => w.text(arn, "policyArn", POLICY_ARN_BYTES));
  writeList(w, role.tags, "tags", (tag) => {
    w.text(tag.key, "tag key");
    w.text(tag.value, "tag value");
  });
  writeList(w, role.transitiveTagKeys, "transitiveTagKeys", (key) => w.text(key, "transitive tag key"));
  return w.finish();
}

function writeList<T>(w: Writer, items: readonly T[], field: string, write: (item: T) => void): void {
  if (items.length > MAX_LIST) throw new TypeError(`${field} has more than ${MAX_LIST} items`);
  w.u8(items.length);
  for (const item of items) write(item);
}

function readList<T>(r: Reader, read: () => T): T[] {
  const items: T[] = [];
  for (let n = r.u8(); n > 0; n--) items.push(read());
  return items;
}

/** Throws only MalformedClaims, whatever the input. */
export function decodeClaims(bytes: Buffer): SessionClaims {
  const r = new Reader(bytes);
  const version = r.u8();
  if (version !== USER_CLAIMS_VERSION && version !== ROLE_CLAIMS_VERSION) throw new MalformedClaims("unknown version");
  const accessKeyId = readId(r, TEMPORARY_KEY);
  const secretAccessKey = r.take(SECRET_BYTES).toString("base64");
  const account = r.uint(ACCOUNT_BYTES);
  if (account > MAX_ACCOUNT) throw new MalformedClaims("account id out of range");
  const accountId = String(account).padStart(12, "0");

  let principal: Principal;
  const principalType = version === ROLE_CLAIMS_VERSION ? undefined : r.u8();
  if (principalType === undefined) {
    const roleId = readId(r, ROLE_ID);
    const roleName = r.text();
    principal = { type: "role", roleId, roleName, sessionName: r.text() };
  } else if (principalType === PRINCIPAL_ROOT) {
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
  if (version === USER_CLAIMS_VERSION) {
    const sourceAccessKeyId = readId(r, LONG_TERM_KEY);
    r.end();
    return { accessKeyId, secretAccessKey, accountId, principal, mfa, issuedAt, expiresAt, sourceAccessKeyId };
  }
  const sourceKind = r.u8();
  if (sourceKind !== SOURCE_LONG_TERM && sourceKind !== SOURCE_TEMPORARY) throw new MalformedClaims("unknown source key kind");
  const sourceAccessKeyId = readId(r, sourceKind === SOURCE_TEMPORARY ? TEMPORARY_KEY : LONG_TERM_KEY);
  const chained = r.u8();
  if (chained > 1) throw new MalformedClaims("chained is not a flag");
  const sourceIdentity = r.text();
  const policy = r.text(POLICY_BYTES);
  const role: RoleSessionClaims = {
    chained: chained === 1,
    sourceIdentity: sourceIdentity === "" ? null : sourceIdentity,
    policy: policy === "" ? null : policy,
    policyArns: readList(r, () => r.text(POLICY_ARN_BYTES)),
    tags: readList(r, () => ({ key: r.text(), value: r.text() })),
    transitiveTagKeys: readList(r, () => r.text()),
  };
  r.end();
  return { accessKeyId, secretAccessKey, accountId, principal, mfa, issuedAt, expiresAt, sourceAccessKeyId, role };
}
