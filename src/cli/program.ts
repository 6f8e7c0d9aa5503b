/**
 * The `mfa-sts` command line. Each command's module is loaded only when that command runs, so
 * start-up pays for nothing it does not use.
 */
import { availableParallelism } from "node:os";
import { Command, InvalidArgumentError } from "commander";
import { isAccountId } from "../ids.js";
import { storeConfig, storeOptions } from "./store-options.js";
import { parseSince } from "../audit/audit-filter.js";
import { packageVersion } from "./version.js";

const program = new Command();
program
  .name("mfa-sts")
  // The drop-ins' --version line (aws's `aws-cli/VERSION Python/…`), for the whole command too.
  .version(`mfa-sts/${packageVersion()} node/${process.versions.node}`, "--version", "print the version")
  .enablePositionalOptions()
  .description("An AWS-faithful STS GetSessionToken server, with IAM users, access keys and MFA")
  .showHelpAfterError()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError("must be a port number (0-65535)");
  return Number(value);
}

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError("must be a whole number, at least 1");
  return Number(value);
}

function accountId(value: string): string {
  if (!isAccountId(value)) throw new InvalidArgumentError("must be 12 digits");
  return value;
}

type StoreFlags = { dataDir?: string; db?: string; masterKeyFile?: string; dbPoolSize?: number; dbTimeoutMs?: number };

storeOptions(
  program
    .command("init")
    .description("create the account and its root user, and issue a root access key")
    .option("--account-id <id>", "12-digit account id (default: random)", accountId)
    .option("--json", "print one JSON object"),
).action(async (opts: StoreFlags & { accountId?: string; json?: boolean }) => {
  const { runInit } = await import("./init.js");
  process.exitCode = await runInit({ ...storeConfig(opts), accountId: opts.accountId, json: !!opts.json });
});

storeOptions(
  program
    .command("serve")
    .description("run the STS and IAM endpoint (AWS Query protocol, SigV4)")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on (0: any free port)", port, 4599)
    .option("--log-level <level>", "fatal, error, warn, info, debug or silent", "info")
    .option("--workers <n>", "server processes sharing the port and the store (one per core unless given)", positiveInt, availableParallelism())
    .option("--blob-dir <dir>", "where S3 object bodies are kept; with --db, a directory every process reaches (default: DATA_DIR/blobs)")
    .option("--tls-cert <file>", "serve HTTPS with this PEM certificate (chain); with --tls-key")
    .option("--tls-key <file>", "the PEM private key of --tls-cert")
    .option("--audit-log <file>", "append an audit record (CloudTrail's shape, one JSON line) per request to FILE, - for stdout (default: DATA_DIR/audit.log)")
    .option("--no-audit-log", "keep no audit log")
    .option("--admin-port <port>", "serve /healthz and /metrics on this port (same host) instead of the service port", port)
    .option("--mfa-max-failures <n>", "wrong MFA codes for one device (or bad signatures with one long-term key) within 5 minutes that lock it", positiveInt, 5)
    .option("--mfa-lockout-seconds <s>", "how long such a lock lasts; every request naming the device (or signed with the key) is refused meanwhile", positiveInt, 900),
  true,
).action(async (opts: StoreFlags & { host: string; port: number; logLevel: string; workers: number; blobDir?: string; tlsCert?: string; tlsKey?: string; auditLog?: string | false; adminPort?: number; mfaMaxFailures: number; mfaLockoutSeconds: number }) => {
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) program.error("error: --tls-cert and --tls-key go together");
  const { runServe } = await import("./serve.js");
  process.exitCode = await runServe({
    ...storeConfig(opts),
    host: opts.host,
    port: opts.port,
    logLevel: opts.logLevel,
    workers: opts.workers,
    blobDir: opts.blobDir,
    tls: opts.tlsCert !== undefined && opts.tlsKey !== undefined ? { certFile: opts.tlsCert, keyFile: opts.tlsKey } : undefined,
    auditLog: opts.auditLog,
    adminPort: opts.adminPort,
    mfaMaxFailures: opts.mfaMaxFailures,
    mfaLockoutSeconds: opts.mfaLockoutSeconds,
  });
});

program
  .command("audit")
  .description("print the audit log's events that match (all of) the filters")
  .option("--data-dir <dir>", "read DATA_DIR/audit.log (default: $XDG_DATA_HOME/mfa-sts, else ~/.local/share/mfa-sts)")
  .option("--audit-log <file>", "read this audit log instead (- for stdin)")
  .option("--user <name>", "events of this user: a user name, a role name (its sessions), an ARN, an access key id, or root")
  .option("--event <name>", "events of this name, e.g. GetSessionToken")
  .option("--since <when>", "events since a time ago (90s, 15m, 1h, 2d, 1w) or a moment (ISO 8601, e.g. 2024-09-14T08:00:00Z)", (value: string) => {
    const since = parseSince(value, Date.now());
    if (since === undefined) throw new InvalidArgumentError("must be a duration such as 15m, 1h, 2d, or an ISO 8601 time");
    return since;
  })
  .option("--failed", "only calls that failed")
  .option("--output <format>", "table or json (the records themselves)", "table")
  .action(async (opts: { dataDir?: string; auditLog?: string; user?: string; event?: string; since?: number; failed?: boolean; output: string }) => {
    const { runAudit, AUDIT_OUTPUTS } = await import("./audit.js");
    if (!(AUDIT_OUTPUTS as readonly string[]).includes(opts.output)) program.error(`error: --output must be one of ${AUDIT_OUTPUTS.join(", ")}`);
    process.exitCode = await runAudit(
      { ...opts, failed: !!opts.failed, output: opts.output as "table" | "json" },
      { stdin: process.stdin, stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
    );
  });

function durationSeconds(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 900) throw new InvalidArgumentError("must be a whole number of seconds, at least 900");
  return Number(value);
}

program
  .command("login")
  .description(
    "get a session with your MFA code and keep it in [PROFILE] of the credentials file; " +
      "for a role profile (role_arn + source_profile), assume the role from its source's session into the aws CLI's cache",
  )
  .option("--profile <name>", "the session or role profile (default: $AWS_PROFILE, else default)")
  .option("--token-code <code>", "the MFA code (default: ask on the terminal)")
  .option("--serial-number <serial>", "the MFA device (default: mfa_serial of [profile NAME], else aws_mfa_device of the long-term section)")
  .option("--duration-seconds <seconds>", "session length (default: STS's, 12 hours for IAM users); the role's comes from duration_seconds", durationSeconds)
  .option("--force", "renew even if the session (for a role profile: the role's credentials) is still valid")
  .option("--no-session", "role profiles: assume the role with the long-term key and an MFA code, not from the session")
  .option("--long-term-suffix <suffix>", "the long-term keys live in [PROFILE<suffix>]", "-long-term")
  .action(
    async (opts: { profile?: string; tokenCode?: string; serialNumber?: string; durationSeconds?: number; force?: boolean; session: boolean; longTermSuffix: string }) => {
      const [{ loginCommand }, { processIo, exitCodeOf }] = await Promise.all([import("../client/login-command.js"), import("./workflow.js")]);
      const io = processIo();
      const { session, ...rest } = opts;
      process.exitCode = await exitCodeOf(async () => void (await loginCommand({ ...rest, force: !!opts.force, noSession: !session }, io)), io.stderr);
    },
  );

program
  .command("export")
  .description("print the session's (or role profile's) credentials (aws configure export-credentials formats)")
  .option("--profile <name>", "the session or role profile (default: $AWS_PROFILE, else default)")
  .option("--format <format>", "process, env, env-no-export, powershell, windows-cmd or fish", "process")
  .option("--no-session", "role profiles: assume the role with the long-term key and an MFA code, not from the session")
  .action(async (opts: { profile?: string; format: string; session: boolean }) => {
    const [{ exportCredentials, EXPORT_FORMATS }, { processIo, exitCodeOf }] = await Promise.all([
      import("../client/session-commands.js"),
      import("./workflow.js"),
    ]);
    if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format)) {
      program.error(`error: --format must be one of ${EXPORT_FORMATS.join(", ")}`);
    }
    const io = processIo();
    process.exitCode = await exitCodeOf(
      () => exportCredentials({ profile: opts.profile, noSession: !opts.session, format: opts.format as never }, io),
      io.stderr,
    );
  });

program
  .command("exec")
  .description("run a command with the session's (or role profile's) credentials in its environment")
  .option("--profile <name>", "the session or role profile (default: $AWS_PROFILE, else default)")
  .option("--no-session", "role profiles: assume the role with the long-term key and an MFA code, not from the session")
  .argument("<command...>", "the command and its arguments, after --")
  .passThroughOptions()
  .action(async (command: string[], opts: { profile?: string; session: boolean }) => {
    const [{ execWithSession }, { processIo, exitCodeOf }] = await Promise.all([import("../client/session-commands.js"), import("./workflow.js")]);
    const io = processIo();
    process.exitCode = await exitCodeOf(() => execWithSession({ profile: opts.profile, noSession: !opts.session, command }, io), io.stderr);
  });

program
  .command("status")
  .description("the session profiles login manages and the role profiles, with the time they have left")
  .option("--long-term-suffix <suffix>", "the long-term keys live in [PROFILE<suffix>]", "-long-term")
  .action(async (opts: { longTermSuffix: string }) => {
    const [{ status }, { processIo, exitCodeOf }] = await Promise.all([import("../client/session-commands.js"), import("./workflow.js")]);
    const io = processIo();
    process.exitCode = await exitCodeOf(async () => status(opts, io), io.stderr);
  });

const mfa = program.command("mfa").description("MFA devices kept outside the IAM API");
storeOptions(
  mfa
    .command("import")
    .description("register a TOTP hardware token and enable it for a user (or the root user)")
    .requiredOption("--serial <serial>", "the token's serial number, e.g. GAHT12345678")
    .requiredOption("--seed <base32>", "the token's TOTP seed in base32, or - to read it from stdin")
    .option("--user <name>", "the IAM user to enable it for")
    .option("--root", "enable it for the account's root user"),
).action(async (opts: StoreFlags & { serial: string; seed: string; user?: string; root?: boolean }) => {
  const { runMfaImport } = await import("./mfa-import.js");
  process.exitCode = await runMfaImport({
    ...storeConfig(opts),
    serial: opts.serial,
    seed: opts.seed,
    user: opts.user,
    root: !!opts.root,
    readStdin: async () => {
      let text = "";
      for await (const chunk of process.stdin) text += String(chunk);
      return text;
    },
  });
});

program
  .command("backup")
  .description("copy the embedded SQLite store to FILE, also while serve runs (one consistent snapshot); the master key is not in it")
  .option("--data-dir <dir>", "data directory of the embedded SQLite store (default: $XDG_DATA_HOME/mfa-sts, else ~/.local/share/mfa-sts)")
  .requiredOption("--to <file>", "the backup file to write (replaced whole, never half-written)")
  .action(async (opts: { dataDir?: string; to: string }) => {
    const { runBackup } = await import("./backup.js");
    process.exitCode = await runBackup({ dataDir: storeConfig(opts).dataDir, to: opts.to });
  });

program
  .command("restore")
  .description("put a backup in place as the data directory's database (refused while serve runs on it); the replaced one is kept beside it")
  .requiredOption("--from <file>", "a file written by mfa-sts backup")
  .option("--data-dir <dir>", "data directory of the embedded SQLite store (default: $XDG_DATA_HOME/mfa-sts, else ~/.local/share/mfa-sts)")
  .option("--master-key-file <file>", "the master key the backup was made with, to check it opens the backup (default: $MFA_STS_MASTER_KEY, else DATA_DIR/master.key)")
  .action(async (opts: { from: string; dataDir?: string; masterKeyFile?: string }) => {
    const { runRestore } = await import("./restore.js");
    const config = storeConfig(opts);
    process.exitCode = await runRestore({ from: opts.from, dataDir: config.dataDir, masterKey: config.masterKey, masterKeyFile: opts.masterKeyFile });
  });

await program.parseAsync(process.argv);
