/**
 * `fromMfaSession()`: an AWS SDK for JavaScript v3 credential provider for a profile that
 * `mfa-sts login` manages, sharing its session: `[P]` of the credentials file is used while it
 * has time left; otherwise GetSessionToken is called with `[P-long-term]`'s keys and a code, and
 * the new session written into `[P]` — by login's own code (src/client): the same files and
 * precedence, the same locked, atomic, minimal edit, the same used-code cache. So a CLI `login`,
 * `mfa-sts exec` and any number of processes on this provider ask for one code per session.
 */
import { homedir } from "node:os";
import { credentialsFilePath, readSharedFiles, type ClientEnvironment } from "../client/config.js";
import { CredentialsFileError } from "../client/credentials-file.js";
import { CliError } from "../client/errors.js";
import {
  DEFAULT_LONG_TERM_SUFFIX,
  longTermSectionOf,
  loginOrThrow,
  madeWithDevice,
  sessionProfile,
  sessionSerialNumber,
  storedSession,
  type Session,
  type WorkflowIo,
} from "../client/login.js";
import { isRoleProfileName, roleLoginOrThrow } from "../client/role-login.js";
import { ServiceError } from "../client/sts-request.js";
import { packageVersion } from "../cli/version.js";

/** Options of {@link fromMfaSession}; all optional but `mfaCodeProvider` when the profile has an MFA device. */
export interface MfaSessionOptions {
  /**
   * The session profile `P`, or a role profile (`role_arn` + `source_profile`: credentials as
   * `mfa-sts export` gives them — the aws CLI's cache, else AssumeRole from the source's MFA
   * session). Default: `AWS_PROFILE`, else `default` (as `mfa-sts login`).
   */
  profile?: string;
  /**
   * Asked for a code when a new session is needed, with the device's serial (`mfa_serial` of
   * `[profile P]` in the config file, else `aws_mfa_device` of `[P-long-term]`). Required when the
   * profile has a device. Called once per refresh, however many requests wait for it.
   */
  mfaCodeProvider?: (mfaSerial: string) => Promise<string> | string;
  /** GetSessionToken's DurationSeconds (AWS's default, 43 200, when not given). */
  durationSeconds?: number;
  /** A stored session with less than this left is renewed. Default 300 (five minutes, as `login`). */
  refreshMarginSeconds?: number;
  /** The STS endpoint. Default: as the CLI resolves it (`AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, the profile's `endpoint_url`, the region's endpoint). */
  endpoint?: string;
  /** The signing region. Default: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`. */
  region?: string;
  /** The credentials file. Default: `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`. */
  filepath?: string;
  /** The config file. Default: `AWS_CONFIG_FILE`, else `~/.aws/config`. */
  configFilepath?: string;
  /** The long-term section is `[P<suffix>]`. Default `-long-term` (login's `--long-term-suffix`). */
  longTermSuffix?: string;
  /** The clock sessions' expiry is judged by and requests are signed with, ms since the epoch. Default `Date.now`. */
  clock?: () => number;
}

/** Temporary credentials, as an AWS SDK v3 `AwsCredentialIdentity` (with `expiration`). */
export interface MfaSessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** A credential provider: pass it as `credentials` to any AWS SDK v3 client. */
export type MfaSessionProvider = () => Promise<MfaSessionCredentials>;

/** Why no session could be had: a missing code provider, a missing long-term key, STS's refusal (`code`). */
export class MfaSessionError extends Error {
  /** AWS's error code when STS refused GetSessionToken (e.g. `AccessDenied`). */
  readonly code: string | undefined;
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(message, { cause: options.cause });
    this.name = "MfaSessionError";
    this.code = options.code;
  }
}

const DEFAULT_REFRESH_MARGIN_SECONDS = 300;

/**
 * Refreshes in flight in this process, by credentials file and profile: every caller that finds
 * the session stale while one is being made waits for that one (one code, one STS call).
 */
const refreshing = new Map<string, Promise<Session>>();

/**
 * A credential provider for the session profile `P` that `mfa-sts login` manages.
 *
 * @example
 * ```ts
 * const sts = new STSClient({ credentials: fromMfaSession({ profile: "work", mfaCodeProvider: askOnTerminal }) });
 * ```
 */
export function fromMfaSession(options: MfaSessionOptions = {}): MfaSessionProvider {
  const now = options.clock ?? Date.now;
  const marginMs = (options.refreshMarginSeconds ?? DEFAULT_REFRESH_MARGIN_SECONDS) * 1000;
  return async () => {
    const ce = clientEnvironment(options);
    const profile = options.profile ?? sessionProfile(undefined, ce);
    if (isRoleProfileName(readSharedFiles(ce), profile)) return credentialsOf(await roleSession(options, ce, profile, now));
    const key = `${credentialsFilePath(ce)}\0${profile}`;
    let session = freshSession(ce, profile, now(), marginMs, longTermSuffixOf(options));
    if (session === undefined) {
      let pending = refreshing.get(key);
      if (pending === undefined) {
        pending = refresh(options, ce, profile, now, marginMs).finally(() => refreshing.delete(key));
        refreshing.set(key, pending);
      }
      session = await pending;
    }
    return credentialsOf(session);
  };
}

const credentialsOf = (session: Session): MfaSessionCredentials => ({
  accessKeyId: session.accessKeyId,
  secretAccessKey: session.secretAccessKey,
  sessionToken: session.sessionToken,
  expiration: new Date(session.expiresAt),
});

/**
 * A role profile (role_arn + source_profile): what `mfa-sts export` gives — the aws CLI's cached
 * credentials while they have more than its 15 minutes left, else AssumeRole from the source's
 * MFA session, which is made (one code from mfaCodeProvider) only when it is stale. Concurrent
 * callers share one run.
 */
function roleSession(options: MfaSessionOptions, ce: ClientEnvironment, profile: string, now: () => number): Promise<Session> {
  const key = `${credentialsFilePath(ce)}\0role\0${profile}`;
  let pending = refreshing.get(key);
  if (pending === undefined) {
    const roleOptions = { profile, force: false, noSession: false, durationSeconds: options.durationSeconds, longTermSuffix: longTermSuffixOf(options) };
    pending = roleLoginOrThrow(profile, roleOptions, workflowIo(options, ce, now), "use")
      .catch(asMfaSessionError)
      .finally(() => refreshing.delete(key));
    refreshing.set(key, pending);
  }
  return pending;
}

const longTermSuffixOf = (options: MfaSessionOptions): string => options.longTermSuffix ?? DEFAULT_LONG_TERM_SUFFIX;

/**
 * The CLI workflow's surroundings for the library: nothing printed, no terminal — codes come from
 * mfaCodeProvider — and the endpoint and region options in the places the CLI reads first.
 */
function workflowIo(options: MfaSessionOptions, ce: ClientEnvironment, now: () => number): WorkflowIo {
  const env = {
    ...ce.env,
    ...(options.endpoint !== undefined && { AWS_ENDPOINT_URL_STS: options.endpoint }),
    ...(options.region !== undefined && { AWS_REGION: options.region }),
  };
  const quiet = () => {};
  return { ...ce, env, stdout: quiet, stderr: quiet, terminal: () => undefined, now, version: packageVersion(), mfaCodeProvider: options.mfaCodeProvider };
}

/** What the workflow threw, as the library's error: its message (with login's hint), and AWS's code when STS refused. */
function asMfaSessionError(e: unknown): never {
  if (e instanceof CliError || e instanceof CredentialsFileError) {
    const service = e instanceof ServiceError ? e : e.cause instanceof ServiceError ? e.cause : undefined;
    throw new MfaSessionError(e.message, { cause: e, code: service?.code });
  }
  throw e;
}

/** The process's environment, with the files named in the options taking the place of the variables. */
function clientEnvironment(options: MfaSessionOptions): ClientEnvironment {
  return {
    env: {
      ...process.env,
      ...(options.filepath !== undefined && { AWS_SHARED_CREDENTIALS_FILE: options.filepath }),
      ...(options.configFilepath !== undefined && { AWS_CONFIG_FILE: options.configFilepath }),
    },
    home: homedir(),
    cwd: process.cwd(),
  };
}

/** [P]'s session while it has more than the margin left and was made with the device the profile names now. */
function freshSession(ce: ClientEnvironment, profile: string, nowMs: number, marginMs: number, longTermSuffix: string): Session | undefined {
  const files = readSharedFiles(ce);
  const session = storedSession(files, profile);
  if (session === undefined || session.expiresAt - nowMs <= marginMs) return undefined;
  const serialNumber = sessionSerialNumber(files, profile, longTermSectionOf(profile, longTermSuffix));
  return madeWithDevice(session, serialNumber) ? session : undefined;
}

/** A new session in [P], as `login --force` makes and writes it, the code from mfaCodeProvider. */
async function refresh(options: MfaSessionOptions, ce: ClientEnvironment, profile: string, now: () => number, marginMs: number): Promise<Session> {
  try {
    // Another process (a `login`, another app) may have renewed it while this one was deciding.
    const renewed = freshSession(ce, profile, now(), marginMs, longTermSuffixOf(options));
    if (renewed) return renewed;
    const serialNumber = sessionSerialNumber(readSharedFiles(ce), profile, longTermSectionOf(profile, longTermSuffixOf(options)));
    if (serialNumber !== undefined && options.mfaCodeProvider === undefined) {
      throw new MfaSessionError(
        `[${profile}] needs a new session and its MFA device ${serialNumber} needs a code: give fromMfaSession an mfaCodeProvider (serial => code).`,
      );
    }
    const loginOptions = { profile, force: true, durationSeconds: options.durationSeconds, longTermSuffix: longTermSuffixOf(options) };
    return await loginOrThrow(loginOptions, workflowIo(options, ce, now));
  } catch (e) {
    return asMfaSessionError(e);
  }
}
