/**
 * `mfa-sts login`: the daily chore in one command (issue 5). Long-term keys from
 * `[P-long-term]`, an MFA code from --token-code or the terminal, GetSessionToken, and the
 * session written into `[P]` of the credentials file — only those lines change, under a lock,
 * atomically (credentials-file.ts). A session with more than five minutes left is kept.
 */
import {
  type ClientEnvironment,
  type SharedFiles,
  type Credentials,
  type Endpoint,
  credentialsFilePath,
  profileSetting,
  readSharedFiles,
  resolveCaBundle,
  resolveEndpoint,
  resolveMaxAttempts,
  resolveRegion,
} from "./config.js";
import { CredentialsFileError, updateSection } from "./credentials-file.js";
import { PROGRAM } from "./args.js";
import { CliError, EXIT } from "./errors.js";
import { describeSkew, hintFor, missingLongTermHint, type HintContext } from "./hints.js";
import { GET_SESSION_TOKEN, type StsOperation } from "./operations.js";
import { callSts, ServiceError, type ParamValue, type StsResponse, type TransportOptions } from "./sts-request.js";
import type { Terminal } from "./tty.js";
import { rememberCode, secondsToNextCode, spentAt, usedCodesPath } from "./used-codes.js";

export const DEFAULT_LONG_TERM_SUFFIX = "-long-term";
/** A session is renewed when less than this is left. */
export const RENEW_BEFORE_MS = 5 * 60_000;
/** Clocks further apart than this get a warning: TOTP steps are 30 s. */
const CLOCK_WARNING_MS = 30_000;
const MAX_CODE_PROMPTS = 3;

export interface WorkflowIo extends ClientEnvironment {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  terminal: () => Terminal | undefined;
  now: () => number;
  version: string;
  /** Asked for a code in place of the terminal (the library's fromMfaSession); a wrong code is not asked again. */
  mfaCodeProvider?: (serialNumber: string) => Promise<string> | string;
}

export interface LoginOptions {
  profile?: string;
  tokenCode?: string;
  serialNumber?: string;
  durationSeconds?: number;
  force: boolean;
  longTermSuffix: string;
}

export interface Session extends Credentials {
  sessionToken: string;
  /** ms since the epoch */
  expiresAt: number;
  /**
   * The MFA device the session was made with; null: made without one; undefined: not known (a
   * session written by an older mfa-sts, or by something else).
   */
  mfaSerial?: string | null;
}

/**
 * Written beside a session in [P]: the MFA device it was made with, or "none". botocore and the
 * SDKs ignore keys they do not know. A session made without the device a profile now names is
 * not reused for it (an MFA-only role would refuse it).
 */
const SESSION_DEVICE_KEY = "mfa_sts_mfa_serial";
const NO_DEVICE = "none";

/** What login writes into [P] for a session. */
function sessionValues(session: Session, serialNumber: string | undefined): [string, string][] {
  return [
    ["aws_access_key_id", session.accessKeyId],
    ["aws_secret_access_key", session.secretAccessKey],
    ["aws_session_token", session.sessionToken],
    ["aws_credential_expiration", rfc3339(session.expiresAt)],
    [SESSION_DEVICE_KEY, serialNumber ?? NO_DEVICE],
  ];
}

/** Whether a stored session may serve a profile whose MFA device is `serialNumber` (none: any session may). */
export function madeWithDevice(session: Session, serialNumber: string | undefined): boolean {
  return serialNumber === undefined || session.mfaSerial === undefined || session.mfaSerial === serialNumber;
}

/** The profile login works on: --profile, else AWS_PROFILE, else default. */
export const sessionProfile = (flag: string | undefined, io: ClientEnvironment): string => flag ?? (io.env.AWS_PROFILE || "default");

/** RFC 3339 UTC to the second, as written in aws_credential_expiration. */
export const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export function describeRemaining(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  return minutes >= 60 ? `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}m` : `${minutes}m`;
}

/** The session stored in `[profile]` of the credentials file, if it is complete. */
export function storedSession(files: SharedFiles, profile: string): Session | undefined {
  const section = files.credentials.get(profile);
  const text = (key: string): string | undefined => {
    const value = section?.[key];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const [accessKeyId, secretAccessKey, sessionToken] = [text("aws_access_key_id"), text("aws_secret_access_key"), text("aws_session_token")];
  const expiresAt = Date.parse(text("aws_credential_expiration") ?? "");
  if (!accessKeyId || !secretAccessKey || !sessionToken || Number.isNaN(expiresAt)) return undefined;
  const device = text(SESSION_DEVICE_KEY);
  return { accessKeyId, secretAccessKey, sessionToken, expiresAt, mfaSerial: device === undefined ? undefined : device === NO_DEVICE ? null : device };
}

export async function loginOrThrow(options: LoginOptions, io: WorkflowIo): Promise<Session> {
  const profile = sessionProfile(options.profile, io);
  const longTermSection = longTermSectionOf(profile, options.longTermSuffix);
  const credentialsFile = credentialsFilePath(io);
  const now = io.now();
  const files = readSharedFiles(io);

  const serialNumber = options.serialNumber ?? sessionSerialNumber(files, profile, longTermSection);
  if (!options.force) {
    const current = storedSession(files, profile);
    if (current && current.expiresAt - now > RENEW_BEFORE_MS && madeWithDevice(current, serialNumber)) {
      io.stdout(
        `The session in [${profile}] is still valid for ${describeRemaining(current.expiresAt - now)} ` +
          `(until ${rfc3339(current.expiresAt)}); --force renews it.\n`,
      );
      return current;
    }
  }

  const ctx: HintContext = { profile, longTermSection, credentialsFile, serialNumber };
  const longTermCredentials = longTermKeys(files, ctx);
  const endpoint = resolveEndpoint(undefined, resolveRegion(undefined, io, files, profile), io, files, profile);
  let result: StsResponse;
  try {
    result = await callWithMfa(serialNumber, options.tokenCode, io, (code) => {
      const params = new Map<string, ParamValue>();
      if (options.durationSeconds !== undefined) params.set("DurationSeconds", options.durationSeconds);
      if (serialNumber !== undefined && code !== undefined) {
        params.set("SerialNumber", serialNumber);
        params.set("TokenCode", code);
      }
      return callStsChecked(GET_SESSION_TOKEN, params, longTermCredentials, endpoint, transportOptions(io, files, profile, "login"), io);
    });
  } catch (e) {
    if (!(e instanceof ServiceError)) throw e;
    throw withHint(e, hintFor(e, { ...ctx, ...skewContext(e, io.now()) }));
  }
  const session: Session = { ...sessionFrom(result.result), mfaSerial: serialNumber ?? null };
  await writeSession(credentialsFile, profile, sessionValues(session, serialNumber));
  io.stdout(`Logged in: [${profile}] holds a session until ${rfc3339(session.expiresAt)} (${describeRemaining(session.expiresAt - io.now())}).\n`);
  return session;
}

/** `[P<suffix>]`, refusing a suffix that would make it `[P]` itself. */
export function longTermSectionOf(profile: string, suffix: string): string {
  const section = suffix === "none" ? profile : `${profile}${suffix}`;
  if (section === profile) {
    throw new CliError(EXIT.parameter, `the long-term section would be [${profile}] itself, where the session goes: choose another --long-term-suffix`);
  }
  return section;
}

/** The MFA device of a session profile: mfa_serial of [profile P], else aws_mfa_device of its long-term section. */
export function sessionSerialNumber(files: SharedFiles, profile: string, longTermSection: string): string | undefined {
  const device = files.credentials.get(longTermSection)?.aws_mfa_device;
  return profileSetting(files, profile, "mfa_serial") ?? (typeof device === "string" && device !== "" ? device : undefined);
}

/** The IAM user's key in the long-term section, or the hint that says what to put there. */
export function longTermKeys(files: SharedFiles, ctx: HintContext): Credentials {
  const longTerm = files.credentials.get(ctx.longTermSection);
  const keyId = longTerm?.aws_access_key_id;
  const secret = longTerm?.aws_secret_access_key;
  if (typeof keyId !== "string" || keyId === "" || typeof secret !== "string" || secret === "") {
    throw new CliError(EXIT.configuration, missingLongTermHint(ctx));
  }
  const token = longTerm?.aws_session_token;
  return {
    accessKeyId: keyId,
    secretAccessKey: secret,
    ...(typeof token === "string" && token !== "" && { sessionToken: token }),
  };
}

/** The transport the workflow commands use: the profile's CA bundle and retries, our user agent. */
export function transportOptions(io: WorkflowIo, files: SharedFiles, profile: string, command: string): TransportOptions {
  return {
    connectTimeoutMs: 60_000,
    readTimeoutMs: 60_000,
    verifySsl: true,
    caBundle: resolveCaBundle(undefined, io, files, profile),
    maxAttempts: resolveMaxAttempts(io, files, profile),
    userAgent: `${PROGRAM}/${io.version} node/${process.versions.node} command/${command}`,
    now: io.now,
  };
}

/** callSts, and a warning when the server's clock is far from ours. */
export async function callStsChecked(
  operation: StsOperation,
  params: ReadonlyMap<string, ParamValue>,
  credentials: Credentials,
  endpoint: Endpoint,
  options: TransportOptions,
  io: WorkflowIo,
): Promise<StsResponse> {
  const sent = io.now();
  const response = await callSts(operation, params, credentials, endpoint, options);
  if (response.serverTime !== undefined) warnOnSkew(sent, io.now(), response.serverTime, io);
  return response;
}

/** AWS's error line, then the hint when there is one. */
export const withHint = (e: ServiceError, hint: string | undefined): CliError =>
  new CliError(e.exitCode, hint === undefined ? e.message : `${e.message}\n\n${hint}`, { cause: e });

/** The measured skew for the clock hint, when AWS's message tells its time. */
export function skewContext(e: ServiceError, now: number): { skewMs?: number } {
  const skew = skewFromMessage(e.serviceMessage, now);
  return skew === undefined ? {} : { skewMs: skew };
}

const isWrongCode = (e: unknown): e is ServiceError =>
  e instanceof ServiceError && e.serviceMessage.startsWith("MultiFactorAuthentication failed with invalid MFA one time pass code");

/**
 * Runs `call` with an MFA code when there is a device: --token-code, else asked on the terminal
 * (a code already spent is refused before STS sees it). Interactively, a code STS calls invalid
 * gets one more try with the next code. The accepted code is remembered. STS's errors are
 * thrown as they come (ServiceError), for the caller's hints.
 */
export async function callWithMfa<T>(
  serialNumber: string | undefined,
  tokenCode: string | undefined,
  io: WorkflowIo,
  call: (code: string | undefined) => Promise<T>,
): Promise<T> {
  if (serialNumber === undefined) return call(undefined);
  const codes = usedCodesPath(io);
  const given = tokenCode ?? (io.mfaCodeProvider === undefined ? undefined : (await io.mfaCodeProvider(serialNumber)).trim());
  const terminal = given === undefined ? io.terminal() : undefined;
  try {
    let code = readCode(given, serialNumber, terminal, codes, io);
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await call(code);
        rememberCode(codes, serialNumber, code, io.now());
        return result;
      } catch (e) {
        // Interactively, a wrong code gets one more try, as a person would.
        if (!isWrongCode(e) || !terminal || attempt > 1) throw e;
        terminal.write(`${e.serviceMessage.trim()} Try the next code.\n`);
        code = readCode(undefined, serialNumber, terminal, codes, io);
      }
    }
  } finally {
    terminal?.close();
  }
}

/** updateSection, its failures (a lock held too long, a file it refuses to rewrite) as CLI errors. */
async function writeSession(path: string, profile: string, values: ReadonlyArray<readonly [string, string]>): Promise<void> {
  try {
    await updateSection(path, profile, values);
  } catch (e) {
    if (e instanceof CredentialsFileError) throw new CliError(EXIT.general, e.message, { cause: e });
    throw e;
  }
}

function readCode(given: string | undefined, serialNumber: string, terminal: Terminal | undefined, codesFile: string, io: WorkflowIo): string {
  if (given !== undefined) return checkedCode(given, serialNumber, codesFile, io, undefined);
  if (!terminal) {
    throw new CliError(EXIT.parameter, `An MFA code is needed for ${serialNumber} and there is no terminal to ask on: pass it with --token-code CODE.`);
  }
  for (let prompt = 1; prompt <= MAX_CODE_PROMPTS; prompt++) {
    terminal.write(`MFA code for ${serialNumber}: `);
    const line = terminal.readLine();
    if (line === undefined) break;
    try {
      return checkedCode(line.trim(), serialNumber, codesFile, io, terminal);
    } catch (e) {
      if (!(e instanceof CliError) || prompt === MAX_CODE_PROMPTS) throw e;
      terminal.write(`${e.message}\n`);
    }
  }
  throw new CliError(EXIT.parameter, "No MFA code was entered.");
}

function checkedCode(code: string, serialNumber: string, codesFile: string, io: WorkflowIo, terminal: Terminal | undefined): string {
  if (!/^\d{6}$/.test(code)) throw new CliError(EXIT.parameter, `An MFA code is six digits; got ${JSON.stringify(code)}.`);
  const now = io.now();
  const at = spentAt(codesFile, serialNumber, code, now);
  if (at !== undefined) {
    const wait = secondsToNextCode(now);
    throw new CliError(
      EXIT.parameter,
      `The code ${code} was already used for ${serialNumber} at ${rfc3339(at)}: AWS accepts each code once. ` +
        `${terminal ? "Enter" : "Use"} the next code (a new one comes in ${wait} s).`,
    );
  }
  return code;
}

export function sessionFrom(result: Record<string, unknown>): Session {
  const c = result.Credentials as Record<string, string> | undefined;
  const expiresAt = Date.parse(c?.Expiration ?? "");
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || Number.isNaN(expiresAt)) {
    throw new CliError(EXIT.general, "GetSessionToken answered without complete credentials.");
  }
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiresAt };
}

/** The server's Date against the local clock, over the round trip's midpoint. */
function warnOnSkew(sent: number, received: number, serverTime: number, io: WorkflowIo): void {
  const local = (sent + received) / 2;
  // Date has whole seconds: the server's instant lies in [serverTime, serverTime + 1 s).
  const skew = local - (serverTime + 500);
  if (Math.abs(skew) > CLOCK_WARNING_MS) {
    io.stderr(`warning: this computer's clock is ${describeSkew(skew)}; MFA codes and request signatures depend on it.\n`);
  }
}

/** "Signature expired: X is now earlier than Y (NOW - 15 min.)": the server's NOW against ours. */
function skewFromMessage(message: string, now: number): number | undefined {
  const m = /\((\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z [-+] 15 min\.\)/.exec(message);
  if (!m) return undefined;
  const server = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return now - server;
}
