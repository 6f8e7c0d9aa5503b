/**
 * The `mfa-sts` command line. Each command's module is loaded only when that command runs, so
 * start-up pays for nothing it does not use.
 */
import { Command, InvalidArgumentError } from "commander";
import { homedir } from "node:os";
import { isAccountId } from "../ids.js";
import { defaultDataDir } from "../server/data-dir.js";

const program = new Command();
program
  .name("mfa-sts")
  .description("An AWS-faithful STS GetSessionToken server, with IAM users, access keys and MFA")
  .showHelpAfterError()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError("must be a port number (0-65535)");
  return Number(value);
}

function accountId(value: string): string {
  if (!isAccountId(value)) throw new InvalidArgumentError("must be 12 digits");
  return value;
}

const dataDirHelp = "data directory (default: $XDG_DATA_HOME/mfa-sts, else ~/.local/share/mfa-sts)";
const dataDir = (given: string | undefined): string => given ?? defaultDataDir(process.env, homedir());

program
  .command("init")
  .description("create the account and its root user, and issue a root access key")
  .option("--data-dir <dir>", dataDirHelp)
  .option("--account-id <id>", "12-digit account id (default: random)", accountId)
  .option("--json", "print one JSON object")
  .action(async (opts: { dataDir?: string; accountId?: string; json?: boolean }) => {
    const { runInit } = await import("./init.js");
    process.exitCode = await runInit({ dataDir: dataDir(opts.dataDir), accountId: opts.accountId, json: !!opts.json });
  });

program
  .command("serve")
  .description("run the STS and IAM endpoint (AWS Query protocol, SigV4)")
  .option("--data-dir <dir>", dataDirHelp)
  .option("--host <host>", "address to listen on", "127.0.0.1")
  .option("--port <port>", "port to listen on (0: any free port)", port, 4599)
  .option("--log-level <level>", "fatal, error, warn, info, debug or silent", "info")
  .action(async (opts: { dataDir?: string; host: string; port: number; logLevel: string }) => {
    const { runServe } = await import("./serve.js");
    process.exitCode = await runServe({ dataDir: dataDir(opts.dataDir), host: opts.host, port: opts.port, logLevel: opts.logLevel });
  });

const mfa = program.command("mfa").description("MFA devices kept outside the IAM API");
mfa
  .command("import")
  .description("register a TOTP hardware token and enable it for a user (or the root user)")
  .option("--data-dir <dir>", dataDirHelp)
  .requiredOption("--serial <serial>", "the token's serial number, e.g. GAHT12345678")
  .requiredOption("--seed <base32>", "the token's TOTP seed in base32, or - to read it from stdin")
  .option("--user <name>", "the IAM user to enable it for")
  .option("--root", "enable it for the account's root user")
  .action(async (opts: { dataDir?: string; serial: string; seed: string; user?: string; root?: boolean }) => {
    const { runMfaImport } = await import("./mfa-import.js");
    process.exitCode = await runMfaImport({
      dataDir: dataDir(opts.dataDir),
      serial: opts.serial,
      seed: opts.seed,
      user: opts.user,
      root: !!opts.root,
      masterKey: process.env.MFA_STS_MASTER_KEY,
      readStdin: async () => {
        let text = "";
        for await (const chunk of process.stdin) text += String(chunk);
        return text;
      },
    });
  });

await program.parseAsync(process.argv);
