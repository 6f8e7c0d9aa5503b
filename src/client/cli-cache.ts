/**
 * The aws CLI's role-credential cache, `~/.aws/cli/cache/<key>.json` (spec §8.1): the same file
 * v1 and v2 read before they would call AssumeRole — and prompt for an MFA code. A file written
 * here under the key the CLI computes from the profile, with content it can read, makes
 * `aws --profile ROLE …` use the credentials with no prompt and no STS call.
 *
 * - key: botocore's `_create_cache_key`: the AssumeRole arguments the profile implies (RoleArn,
 *   and RoleSessionName, ExternalId, SerialNumber, DurationSeconds when configured — never
 *   TokenCode, never a generated session name), `json.dumps(sort_keys=True)`, SHA-1 hex;
 * - content: the parsed AssumeRole response as aws CLI v1 caches it, one line of `json.dumps`:
 *   model-ordered members with Expiration as the wire text, `Credentials.AccountId` added from
 *   `AssumedRoleUser.Arn`, and botocore's ResponseMetadata (RequestId, HTTPStatusCode,
 *   HTTPHeaders, RetryAttempts). aws CLI v2 (2.9.19) writes `…+00:00` and no AccountId; each
 *   reads the other's files (captured both ways);
 * - freshness: the CLI uses a cached file only while more than 15 minutes remain.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ClientEnvironment } from "./config.js";
import { writeFileAtomically } from "./credentials-file.js";
import { pythonJsonDumps, type PythonJson } from "./python-json.js";
import type { RoleProfile } from "./role-profiles.js";
import type { Parsed, ResponseMetadata } from "./sts-request.js";

/** botocore's CachedCredentialFetcher.DEFAULT_EXPIRY_WINDOW_SECONDS: less left than this and the CLI calls STS again. */
export const CLI_EXPIRY_WINDOW_MS = 15 * 60_000;

export type AssumeRoleArgs = Record<string, string | number>;

/** The AssumeRole arguments botocore derives from the profile, before the prompt adds TokenCode. */
export function profileAssumeRoleArgs(role: Omit<RoleProfile, "name" | "sourceProfile">): AssumeRoleArgs {
  return {
    RoleArn: role.roleArn,
    ...(role.roleSessionName !== undefined && { RoleSessionName: role.roleSessionName }),
    ...(role.externalId !== undefined && { ExternalId: role.externalId }),
    ...(role.mfaSerial !== undefined && { SerialNumber: role.mfaSerial }),
    ...(role.durationSeconds !== undefined && { DurationSeconds: role.durationSeconds }),
  };
}

/** botocore's `_create_cache_key` (no Policy: a profile cannot set one). */
export function cliCacheKey(args: AssumeRoleArgs): string {
  const hash = createHash("sha1").update(pythonJsonDumps(args, { sortKeys: true }), "utf8").digest("hex");
  // _make_file_safe: a no-op on hex, kept for the day the key is not hex.
  return hash.replace(/[:/]/g, "_");
}

/** `os.path.expanduser("~/.aws/cli/cache")`: HOME-based, whatever AWS_CONFIG_FILE says. */
export const cliCacheDir = (ce: ClientEnvironment): string => join(ce.home, ".aws", "cli", "cache");

export const cliCachePath = (ce: ClientEnvironment, args: AssumeRoleArgs): string => join(cliCacheDir(ce), `${cliCacheKey(args)}.json`);

/** The AssumeRole answer as botocore holds it after the call. */
export interface AssumeRoleResult {
  result: Parsed;
  metadata: ResponseMetadata;
}

/** `json.dumps(response)` of the response botocore caches, `AccountId` added as `_add_account_id_to_response` adds it. */
export function cacheFileText({ result, metadata }: AssumeRoleResult): string {
  const response: Record<string, PythonJson> = JSON.parse(JSON.stringify(result)) as Record<string, PythonJson>;
  const user = response.AssumedRoleUser as Record<string, PythonJson> | undefined;
  const credentials = response.Credentials as Record<string, PythonJson> | undefined;
  const arn = typeof user?.Arn === "string" ? user.Arn : undefined;
  // ArnParser.is_arn: starts with arn: and has six colon-separated parts; the account is the fifth.
  if (credentials && arn?.startsWith("arn:") && arn.split(":").length >= 6) credentials.AccountId = arn.split(":")[4]!;
  response.ResponseMetadata = {
    ...metadata.fromBody,
    HTTPStatusCode: metadata.status,
    HTTPHeaders: metadata.headers,
    RetryAttempts: metadata.retryAttempts,
  };
  return pythonJsonDumps(response);
}

export interface CachedRole {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ms since the epoch */
  expiresAt: number;
  /** AssumedRoleUser.Arn, when the file has it. */
  arn: string | undefined;
}

/**
 * Timestamps as the CLI's `_parse_if_needed` (dateutil) takes them from its own files: ISO 8601
 * with or without fraction, `Z`, `±HH:MM`, `±HHMM` or `UTC`/`GMT`. Anything else: NaN.
 */
export function parseCacheTimestamp(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) return NaN;
  const [, date, time, fraction = "", zone = "Z"] = m;
  const ms = Date.parse(`${date}T${time}Z`) + Math.floor(Number(`0${fraction}`) * 1000);
  if (zone === "Z" || zone === "UTC" || zone === "GMT") return ms;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.replace(/[^0-9]/g, "");
  return ms - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}

/** The credentials in a cache file, or undefined when it is missing or not one the CLI could use. */
export function readCachedRole(path: string): CachedRole | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined; // missing or damaged: the CLI treats both as a miss
  }
  const response = parsed as { Credentials?: Record<string, unknown>; AssumedRoleUser?: Record<string, unknown> } | null;
  const c = response?.Credentials;
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  const accessKeyId = text(c?.AccessKeyId);
  const secretAccessKey = text(c?.SecretAccessKey);
  const sessionToken = text(c?.SessionToken);
  const expiresAt = parseCacheTimestamp(text(c?.Expiration) ?? "");
  if (!accessKeyId || !secretAccessKey || !sessionToken || Number.isNaN(expiresAt)) return undefined;
  return { accessKeyId, secretAccessKey, sessionToken, expiresAt, arn: text(response?.AssumedRoleUser?.Arn) };
}

/** Writes the file as the CLI would find it: 0600, atomically (temporary file, fsync, rename). */
export async function writeCachedRole(path: string, text: string): Promise<void> {
  await writeFileAtomically(path, text, { mode: 0o600 });
}
