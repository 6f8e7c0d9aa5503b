/**
 * The `mfa-sts` command line. Each command's module is loaded only when that command runs, so
 * start-up pays for nothing it does not use.
 */
import { availableParallelism } from "node:os";
import { Command, InvalidArgumentError } from "commander";
import { isAccountId } from "../ids.js";
import { storeConfig, storeOptions } from "./store-options.js";

const program = new Command();
program
  .name("mfa-sts")
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
    .option("--blob-dir <dir>", "where S3 object bodies are kept; with --db, a directory every process reaches (default: DATA_DIR/blobs)"),
  true,
).action(async (opts: StoreFlags & { host: string; port: number; logLevel: string; workers: number; blobDir?: string }) => {
  const { runServe } = await import("./serve.js");
  process.exitCode = await runServe({
    ...storeConfig(opts),
    host: opts.host,
    port: opts.port,
    logLevel: opts.logLevel,
    workers: opts.workers,
    blobDir: opts.blobDir,
  });
});

function durationSeconds(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 900) throw new InvalidArgumentError("must be a whole number of seconds, at least 900");
  return Number(value);
}

program
  .command("login")
  .description("get a session with your MFA code and keep it in [PROFILE] of the credentials file")
  .option("--profile <name>", "the session profile (default: $AWS_PROFILE, else default)")
  .option("--token-code <code>", "the MFA code (default: ask on the terminal)")
  .option("--serial-number <serial>", "the MFA device (default: mfa_serial of [profile NAME], else aws_mfa_device of the long-term section)")
  .option("--duration-seconds <seconds>", "session length (default: STS's, 12 hours for IAM users)", durationSeconds)
  .option("--force", "renew even if the session is still valid")
  .option("--long-term-suffix <suffix>", "the long-term keys live in [PROFILE<suffix>]", "-long-term")
  .action(async (opts: { profile?: string; tokenCode?: string; serialNumber?: string; durationSeconds?: number; force?: boolean; longTermSuffix: string }) => {
    const [{ loginOrThrow }, { processIo, exitCodeOf }] = await Promise.all([import("../client/login.js"), import("./workflow.js")]);
    const io = processIo();
    process.exitCode = await exitCodeOf(async () => void (await loginOrThrow({ ...opts, force: !!opts.force }, io)), io.stderr);
  });

program
  .command("export")
  .description("print the session's credentials (aws configure export-credentials formats)")
  .option("--profile <name>", "the session profile (default: $AWS_PROFILE, else default)")
  .option("--format <format>", "process, env, env-no-export, powershell, windows-cmd or fish", "process")
  .action(async (opts: { profile?: string; format: string }) => {
    const [{ exportCredentials, EXPORT_FORMATS }, { processIo, exitCodeOf }] = await Promise.all([
      import("../client/session-commands.js"),
      import("./workflow.js"),
    ]);
    if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format)) {
      program.error(`error: --format must be one of ${EXPORT_FORMATS.join(", ")}`);
    }
    const io = processIo();
    process.exitCode = await exitCodeOf(() => exportCredentials({ profile: opts.profile, format: opts.format as never }, io), io.stderr);
  });

program
  .command("exec")
  .description("run a command with the session's credentials in its environment")
  .option("--profile <name>", "the session profile (default: $AWS_PROFILE, else default)")
  .argument("<command...>", "the command and its arguments, after --")
  .passThroughOptions()
  .action(async (command: string[], opts: { profile?: string }) => {
    const [{ execWithSession }, { processIo, exitCodeOf }] = await Promise.all([import("../client/session-commands.js"), import("./workflow.js")]);
    const io = processIo();
    process.exitCode = await exitCodeOf(() => execWithSession({ profile: opts.profile, command }, io), io.stderr);
  });

program
  .command("status")
  .description("the session profiles login manages, with the time they have left")
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

await program.parseAsync(process.argv);
