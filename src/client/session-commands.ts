/**
 * `mfa-sts export`, `exec` and `status`: using the session that `login` keeps in `[P]`, or, for a
 * role profile, the role credentials it keeps in the aws CLI's cache (role-login.ts).
 * Expired credentials are never handed out: with a terminal the login flow runs first; without
 * one the command fails and says what to run. Role credentials are renewed from a valid MFA
 * session without asking anything.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { CLI_EXPIRY_WINDOW_MS, cliCachePath, profileAssumeRoleArgs, readCachedRole } from "./cli-cache.js";
import { credentialsFilePath, readSharedFiles, resolveRegion } from "./config.js";
import { CliError, EXIT } from "./errors.js";
import { DEFAULT_LONG_TERM_SUFFIX, describeRemaining, loginOrThrow, rfc3339, sessionProfile, storedSession, type Session, type WorkflowIo } from "./login.js";
import { isRoleProfileName, roleLoginOrThrow } from "./role-login.js";
import { roleProfiles } from "./role-profiles.js";

/** A session handed out must still be good for this long. */
const MIN_REMAINING_MS = 60_000;

export interface UseOptions {
  profile?: string;
  /** For a role profile: assume it with the long-term key and an MFA code, not from the session. */
  noSession?: boolean;
}

async function usableSession({ profile: profileFlag, noSession }: UseOptions, io: WorkflowIo): Promise<{ profile: string; session: Session }> {
  const profile = sessionProfile(profileFlag, io);
  const files = readSharedFiles(io);
  if (isRoleProfileName(files, profile)) {
    const options = { profile, force: false, longTermSuffix: DEFAULT_LONG_TERM_SUFFIX, noSession: !!noSession };
    return { profile, session: await roleLoginOrThrow(profile, options, io, "use") };
  }
  if (noSession) {
    throw new CliError(EXIT.parameter, `--no-session is for role profiles (role_arn and source_profile); profile ${profile} has no role_arn.`);
  }
  const session = storedSession(files, profile);
  if (session && session.expiresAt - io.now() > MIN_REMAINING_MS) return { profile, session };
  const terminal = io.terminal();
  if (!terminal) {
    const why = session ? `expired at ${rfc3339(session.expiresAt)}` : "does not exist";
    throw new CliError(EXIT.configuration, `The session in [${profile}] ${why}, and there is no terminal to log in on: run \`mfa-sts login --profile ${profile}\`.`);
  }
  terminal.close();
  // Login prints its own line; here stdout belongs to the credentials, so it goes to stderr.
  const fresh = await loginOrThrow(
    { profile, force: true, longTermSuffix: DEFAULT_LONG_TERM_SUFFIX },
    { ...io, stdout: io.stderr },
  );
  return { profile, session: fresh };
}

/** aws CLI v2's `configure export-credentials` formats, and fish. */
export const EXPORT_FORMATS = ["process", "env", "env-no-export", "powershell", "windows-cmd", "fish"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function formatCredentials(session: Session, format: ExportFormat): string {
  // As botocore's datetime.isoformat() of the expiry: an explicit +00:00 offset.
  const expiration = rfc3339(session.expiresAt).replace(/Z$/, "+00:00");
  if (format === "process") {
    const body = { Version: 1, AccessKeyId: session.accessKeyId, SecretAccessKey: session.secretAccessKey, SessionToken: session.sessionToken, Expiration: expiration };
    return `${JSON.stringify(body, null, 2)}\n`;
  }
  const line = {
    env: (k: string, v: string) => `export ${k}=${v}`,
    "env-no-export": (k: string, v: string) => `${k}=${v}`,
    powershell: (k: string, v: string) => `$Env:${k}="${v}"`,
    "windows-cmd": (k: string, v: string) => `set ${k}=${v}`,
    fish: (k: string, v: string) => `set -gx ${k} ${v}`,
  }[format];
  return (
    [
      ["AWS_ACCESS_KEY_ID", session.accessKeyId],
      ["AWS_SECRET_ACCESS_KEY", session.secretAccessKey],
      ["AWS_SESSION_TOKEN", session.sessionToken],
      ["AWS_CREDENTIAL_EXPIRATION", expiration],
    ]
      .map(([k, v]) => line(k!, v!))
      .join("\n") + "\n"
  );
}

export async function exportCredentials(options: UseOptions & { format: ExportFormat }, io: WorkflowIo): Promise<void> {
  const { session } = await usableSession(options, io);
  io.stdout(formatCredentials(session, options.format));
}

/** Runs the command with the session in its environment; resolves to its exit code. */
export async function execWithSession(options: UseOptions & { command: string[] }, io: WorkflowIo): Promise<number> {
  const [file, ...args] = options.command;
  if (file === undefined) throw new CliError(EXIT.parameter, "mfa-sts exec: give the command to run after --, e.g. mfa-sts exec -- aws s3 ls");
  const { profile, session } = await usableSession(options, io);
  const region = resolveRegion(undefined, io, readSharedFiles(io), profile);
  const env: Record<string, string | undefined> = { ...io.env };
  delete env.AWS_PROFILE;
  Object.assign(env, {
    AWS_ACCESS_KEY_ID: session.accessKeyId,
    AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
    AWS_SESSION_TOKEN: session.sessionToken,
    AWS_CREDENTIAL_EXPIRATION: rfc3339(session.expiresAt),
    ...(region !== undefined && { AWS_REGION: region, AWS_DEFAULT_REGION: region }),
  });
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: env as NodeJS.ProcessEnv, cwd: io.cwd, stdio: "inherit" });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const handlers = (["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const).map((s) => [s, forward(s)] as const);
    for (const [signal, handler] of handlers) process.on(signal, handler);
    const done = () => handlers.forEach(([signal, handler]) => process.off(signal, handler));
    child.on("error", (e) => {
      done();
      reject(new CliError(127, `mfa-sts exec: cannot run ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "command not found" : e.message}`));
    });
    child.on("exit", (code, signal) => {
      done();
      // A command killed by a signal exits as a shell would report it: 128 + the signal number.
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}

/**
 * Every session profile login manages (a section with aws_credential_expiration and its long-term
 * sibling), then every role profile with the credentials the aws CLI's cache holds for it.
 */
export function status(options: { longTermSuffix: string }, io: WorkflowIo): void {
  const files = readSharedFiles(io);
  const now = io.now();
  const sessions: string[][] = [];
  for (const [name, section] of files.credentials) {
    const expiration = section.aws_credential_expiration;
    if (typeof expiration !== "string" || !files.credentials.has(`${name}${options.longTermSuffix}`)) continue;
    const expiresAt = Date.parse(expiration);
    if (Number.isNaN(expiresAt)) {
      // Hand-edited into something that is not a time: shown as it is, never used.
      sessions.push([name, "unreadable", expiration, "-"]);
      continue;
    }
    const left = expiresAt - now;
    sessions.push([name, left > 0 ? "valid" : "expired", rfc3339(expiresAt), left > 0 ? describeRemaining(left) : "-"]);
  }
  const roles = roleProfiles(files).map((role) => {
    const cached = readCachedRole(cliCachePath(io, profileAssumeRoleArgs(role)));
    const source = role.source ?? "-";
    if (!cached) return [role.name, source, "none", "-", "-"];
    const left = cached.expiresAt - now;
    // Within the aws CLI's 15-minute window it would call STS again (and ask for a code) itself.
    const state = left > CLI_EXPIRY_WINDOW_MS ? "valid" : left > 0 ? "expiring" : "expired";
    return [role.name, source, state, rfc3339(cached.expiresAt), left > 0 ? describeRemaining(left) : "-"];
  });
  if (sessions.length === 0 && roles.length === 0) {
    io.stdout(`No session profiles in ${credentialsFilePath(io)}: run mfa-sts login --profile NAME.\n`);
    return;
  }
  const blocks: string[] = [];
  if (sessions.length > 0) blocks.push(table([["PROFILE", "STATUS", "EXPIRES", "REMAINING"], ...sessions]));
  if (roles.length > 0) blocks.push(table([["ROLE PROFILE", "SOURCE", "STATUS", "EXPIRES", "REMAINING"], ...roles]));
  io.stdout(blocks.join("\n"));
}

/** Columns padded to their widest cell, two spaces apart, the last one unpadded. */
function table(rows: readonly string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ")).join("\n") + "\n";
}
