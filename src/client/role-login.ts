/**
 * Role profiles with one MFA code per session (issue 14 item 4, aws-vault's model): for a profile
 * with `role_arn` + `source_profile`, the MFA session of the source profile — the one
 * `mfa-sts login --profile SOURCE` keeps in `[SOURCE]` — is reused (or made, asking one code), and
 * the role is assumed from it without SerialNumber/TokenCode: the session carries the MFA. The
 * role's credentials go into the aws CLI's own cache (cli-cache.ts), so `aws --profile ROLE …`
 * uses them with no prompt and no STS call; any number of role profiles on one source cost one
 * code per session.
 *
 * AWS gives a role assumed from a session at most one hour (role chaining, spec §5). A profile
 * that asks for more (`duration_seconds` > 3600), or `--no-session`, gets the role assumed with
 * the long-term key and an MFA code on the AssumeRole call itself: one code per role.
 */
import {
  cacheFileText,
  CLI_EXPIRY_WINDOW_MS,
  cliCachePath,
  parseCacheTimestamp,
  profileAssumeRoleArgs,
  readCachedRole,
  writeCachedRole,
} from "./cli-cache.js";
import { credentialsFilePath, readSharedFiles, resolveEndpoint, resolveRegion, type Credentials, type SharedFiles } from "./config.js";
import { CliError, EXIT } from "./errors.js";
import { hintFor, type HintContext } from "./hints.js";
import {
  callStsChecked,
  callWithMfa,
  describeRemaining,
  loginOrThrow,
  madeWithDevice,
  longTermKeys,
  longTermSectionOf,
  RENEW_BEFORE_MS,
  rfc3339,
  sessionSerialNumber,
  skewContext,
  storedSession,
  transportOptions,
  withHint,
  type LoginOptions,
  type Session,
  type WorkflowIo,
} from "./login.js";
import { ASSUME_ROLE } from "./operations.js";
import { checkedParameters, type Value } from "./parameters.js";
import { assumeRoleHint, type AssumedVia } from "./role-hints.js";
import { isRoleProfile, mergedProfiles, resolveRoleChain, type RoleChain, type RoleProfile } from "./role-profiles.js";
import { ServiceError, type StsResponse } from "./sts-request.js";

/** AWS's cap on a role assumed with temporary credentials (spec §5, §3 row 11). */
export const ROLE_CHAINING_MAX_SECONDS = 3600;
/** Credentials handed out (export, exec) must still be good for this long. */
const MIN_REMAINING_MS = 60_000;

export interface RoleLoginOptions extends LoginOptions {
  /** Assume the role with the long-term key and an MFA code, not from the MFA session. */
  noSession: boolean;
}

/** Whether `login`/`export`/`exec`/`status` treat the profile as a role profile (botocore's test). */
export function isRoleProfileName(files: SharedFiles, name: string): boolean {
  return isRoleProfile(mergedProfiles(files).get(name));
}

/**
 * `login` for a role profile: prints what it did on stdout (the chaining notice on stderr).
 * `use` (export, exec) prints only what needed the person: a new session, the chaining notice.
 */
export async function roleLoginOrThrow(name: string, options: RoleLoginOptions, io: WorkflowIo, mode: "login" | "use" = "login"): Promise<Session> {
  const files = readSharedFiles(io);
  const chain = resolveRoleChain(files, name, options.longTermSuffix);
  return roleCredentials({ io, files, chain, options, mode }, chain.roles.length - 1);
}

interface Run {
  io: WorkflowIo;
  files: SharedFiles;
  chain: RoleChain;
  options: RoleLoginOptions;
  mode: "login" | "use";
}

/** The credentials of `chain.roles[index]`: from the CLI's cache while fresh, else assumed and cached. */
async function roleCredentials(run: Run, index: number): Promise<Session> {
  const { io, chain, options } = run;
  const role = chain.roles[index]!;
  const isTarget = index === chain.roles.length - 1;
  const path = cliCachePath(io, profileAssumeRoleArgs(role));
  const cached = readCachedRole(path);
  const left = cached === undefined ? 0 : cached.expiresAt - io.now();
  if (cached && left > CLI_EXPIRY_WINDOW_MS && !(isTarget && options.force)) {
    if (isTarget && run.mode === "login") {
      io.stdout(`The role credentials of profile ${role.name} are still valid for ${describeRemaining(left)} (until ${rfc3339(cached.expiresAt)}); --force renews them.\n`);
    }
    return cached;
  }
  // botocore's checks of the profile's parameters, before anything could ask for a code.
  assumeRoleParameters(run, role, undefined);
  // Handed out as they are when renewing them would need a code and nobody is there to type it.
  const fallback = run.mode === "use" && cached && left > MIN_REMAINING_MS ? cached : undefined;
  const assumed = await assume(run, index, fallback);
  if ("fallback" in assumed) return assumed.fallback;

  const { response, via } = assumed;
  const credentials = roleSessionFrom(response);
  await writeCachedRole(path, cacheFileText(response));
  if (run.mode === "login" && via.kind === "direct" && !sourceHasCredentials(run)) {
    // botocore resolves the source profile's credentials before it looks in its cache, and fails
    // ("must have credentials") when there are none, though it would not use them.
    io.stderr(
      `note: aws --profile ${role.name} does not use these credentials yet: the aws CLI first checks that the source profile ` +
        `${chain.source} has credentials of its own, and [${chain.source}] has none; mfa-sts login --profile ${chain.source} puts a session there. ` +
        `mfa-sts export and exec --profile ${role.name} use them as they are.\n`,
    );
  }
  if (run.mode === "login") {
    const how =
      via.kind === "session"
        ? `with the session in [${via.source}]`
        : via.kind === "role"
          ? `with the credentials of profile ${via.sourceProfile}`
          : `with the long-term key in [${via.longTermSection}]${via.serialNumber === undefined ? "" : " and an MFA code"}`;
    io.stdout(
      `Assumed ${role.roleArn} for profile ${role.name} ${how}; its credentials last until ${rfc3339(credentials.expiresAt)} ` +
        `(${describeRemaining(credentials.expiresAt - io.now())}).\n`,
    );
  }
  return credentials;
}

type Assumed = { response: StsResponse; via: AssumedVia } | { fallback: Session };

/** AssumeRole for `chain.roles[index]`: from the role before it, from the MFA session, or directly. */
async function assume(run: Run, index: number, fallback: Session | undefined): Promise<Assumed> {
  const { io, chain, options } = run;
  const role = chain.roles[index]!;
  if (index > 0) {
    const via: AssumedVia = { kind: "role", sourceProfile: role.sourceProfile };
    return { response: await assumeRole(run, role, await roleCredentials(run, index - 1), undefined, via), via };
  }
  if (options.noSession || (role.durationSeconds ?? 0) > ROLE_CHAINING_MAX_SECONDS) {
    if (!options.noSession) {
      io.stderr(
        `profile ${role.name} asks for duration_seconds = ${role.durationSeconds}, more than the one hour AWS allows a role assumed ` +
          `from a session (role chaining): assuming it with the long-term key in [${longTermSectionOf(chain.source, options.longTermSuffix)}] and an MFA code instead.\n`,
      );
    }
    return assumeDirectly(run, role, fallback);
  }
  const session = await mfaSession(run, fallback);
  if ("fallback" in session) return session;
  const via: AssumedVia = { kind: "session", source: chain.source, mfa: session.serialNumber !== undefined };
  return { response: await assumeRole(run, role, session.session, undefined, via), via };
}

/** The MFA device of the session: --serial-number, the source's, else the first role profile's on the way. */
function sessionDevice(run: Run): string | undefined {
  const { files, chain, options } = run;
  const longTermSection = longTermSectionOf(chain.source, options.longTermSuffix);
  return options.serialNumber ?? sessionSerialNumber(files, chain.source, longTermSection) ?? chain.roles.find((r) => r.mfaSerial !== undefined)?.mfaSerial;
}

/** The MFA session in `[source]`, reused while login would keep it, else made as `login --profile source` makes it. */
async function mfaSession(run: Run, fallback: Session | undefined): Promise<{ session: Session; serialNumber: string | undefined } | { fallback: Session }> {
  const { io, chain, options } = run;
  const serialNumber = sessionDevice(run);
  const current = storedSession(readSharedFiles(io), chain.source);
  // A session made without the device is not reused for roles that need it (their trust would refuse it).
  if (current && current.expiresAt - io.now() > RENEW_BEFORE_MS && madeWithDevice(current, serialNumber)) {
    return { session: current, serialNumber: current.mfaSerial === null ? undefined : serialNumber };
  }
  if (run.mode === "use" && serialNumber !== undefined && options.tokenCode === undefined) {
    const noTerminal = !hasTerminal(io);
    if (noTerminal && fallback) return { fallback };
    if (noTerminal) {
      const why = current ? `expired at ${rfc3339(current.expiresAt)}` : "does not exist";
      throw new CliError(
        EXIT.configuration,
        `The session in [${chain.source}] ${why}, and there is no terminal to ask for the MFA code on: run \`mfa-sts login --profile ${chain.roles.at(-1)!.name}\`.`,
      );
    }
  }
  // login's own line says a new session was made; for export and exec it goes to stderr.
  const session = await loginOrThrow(
    { ...options, profile: chain.source, serialNumber, force: true },
    { ...io, stdout: run.mode === "login" ? io.stdout : io.stderr },
  );
  return { session, serialNumber };
}

/** AssumeRole with the long-term key of the source and, when there is a device, SerialNumber/TokenCode. */
async function assumeDirectly(run: Run, role: RoleProfile, fallback: Session | undefined): Promise<Assumed> {
  const { io, files, chain, options } = run;
  const longTermSection = longTermSectionOf(chain.source, options.longTermSuffix);
  const serialNumber = options.serialNumber ?? role.mfaSerial ?? sessionSerialNumber(files, chain.source, longTermSection);
  const ctx: HintContext = { profile: chain.source, longTermSection, credentialsFile: credentialsFilePath(io), serialNumber };
  const keys = longTermKeys(files, ctx);
  if (run.mode === "use" && serialNumber !== undefined && options.tokenCode === undefined && !hasTerminal(io)) {
    if (fallback) return { fallback };
    throw new CliError(
      EXIT.configuration,
      `The credentials of profile ${role.name} need an MFA code, and there is no terminal to ask for it on: run \`mfa-sts login --profile ${role.name}\`.`,
    );
  }
  const via: AssumedVia = { kind: "direct", longTermSection, serialNumber };
  // Checked before the code is asked: a bad serial should not cost a code.
  if (serialNumber !== undefined) assumeRoleParameters(run, role, "000000", serialNumber);
  try {
    const response = await callWithMfa(serialNumber, options.tokenCode, io, (code) =>
      assumeRole(run, role, keys, code === undefined ? undefined : { serialNumber: serialNumber!, code }, via, false),
    );
    return { response, via };
  } catch (e) {
    if (!(e instanceof ServiceError)) throw e;
    throw withHint(e, assumeRoleHint(e, hintContext(role, via)) ?? hintFor(e, { ...ctx, ...skewContext(e, io.now()) }));
  }
}

/** The request a profile implies (spec §8.1), with the session name generated when not configured. */
function assumeRoleParameters(run: Run, role: RoleProfile, code: string | undefined, serialNumber?: string): Map<string, string | number> {
  const params = new Map<string, Value>([
    ["RoleArn", role.roleArn],
    // As botocore-session-<unix time>, but naming this tool (the name shows in CloudTrail and the ARN).
    ["RoleSessionName", role.roleSessionName ?? `mfa-sts-session-${Math.floor(run.io.now() / 1000)}`],
  ]);
  if (role.durationSeconds !== undefined) params.set("DurationSeconds", role.durationSeconds);
  if (role.externalId !== undefined) params.set("ExternalId", role.externalId);
  if (code !== undefined) {
    params.set("SerialNumber", serialNumber ?? role.mfaSerial ?? "");
    params.set("TokenCode", code);
  }
  return checkedParameters(ASSUME_ROLE, params);
}

/**
 * One AssumeRole call signed with `credentials`. STS errors become AWS's line and the hint,
 * unless `hint` is false (the caller still needs the ServiceError, e.g. to retry a wrong code).
 */
async function assumeRole(
  run: Run,
  role: RoleProfile,
  credentials: Credentials,
  mfa: { serialNumber: string; code: string } | undefined,
  via: AssumedVia,
  hint = true,
): Promise<StsResponse> {
  const { io, files } = run;
  const params = assumeRoleParameters(run, role, mfa?.code, mfa?.serialNumber);
  const endpoint = resolveEndpoint(undefined, resolveRegion(undefined, io, files, role.name), io, files, role.name);
  try {
    return await callStsChecked(ASSUME_ROLE, params, credentials, endpoint, transportOptions(io, files, role.name, "login"), io);
  } catch (e) {
    if (!hint || !(e instanceof ServiceError)) throw e;
    throw withHint(e, assumeRoleHint(e, hintContext(role, via)));
  }
}

const hintContext = (role: RoleProfile, via: AssumedVia) => ({ profile: role.name, roleArn: role.roleArn, durationSeconds: role.durationSeconds, via });

function roleSessionFrom({ result }: StsResponse): Session {
  const c = result.Credentials as Record<string, string> | undefined;
  const expiresAt = parseCacheTimestamp(c?.Expiration ?? "");
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || Number.isNaN(expiresAt)) {
    throw new CliError(EXIT.general, "AssumeRole answered without complete credentials.");
  }
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiresAt };
}

/** Whether botocore finds static keys in the source profile (a session there counts, even expired). */
function sourceHasCredentials({ io, chain }: Run): boolean {
  const profile = mergedProfiles(readSharedFiles(io)).get(chain.source);
  return profile !== undefined && ("aws_access_key_id" in profile || "aws_secret_access_key" in profile);
}

/** Whether a code can be asked for: a terminal, or the library's code provider. */
function hasTerminal(io: WorkflowIo): boolean {
  if (io.mfaCodeProvider !== undefined) return true;
  const terminal = io.terminal();
  terminal?.close();
  return terminal !== undefined;
}
