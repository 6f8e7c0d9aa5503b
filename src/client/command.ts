/**
 * `mfa-sts get-session-token` and `mfa-sts get-caller-identity`: aws CLI v2's
 * `aws sts get-session-token` / `get-caller-identity`, byte for byte (spec §8). The order of
 * the steps is the CLI's: arguments, profile, skeletons, parameters (validated before any
 * credential is looked at), configuration, the call, the output.
 */
import { parseArgs, PROGRAM } from "./args.js";
import {
  profileName,
  profileSetting,
  readSharedFiles,
  resolveCaBundle,
  resolveCredentials,
  resolveEndpoint,
  resolveMaxAttempts,
  resolveRegion,
  type ClientEnvironment,
  type SharedFiles,
} from "./config.js";
import { CliError, EXIT, exitCodeOf } from "./errors.js";
import type { StsOperation } from "./operations.js";
import { buildParameters, inputSkeleton, pythonInt, readCliInput } from "./parameters.js";
import { callSts } from "./sts-request.js";

export interface CommandIo extends ClientEnvironment {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdoutIsTty: boolean;
  /** The terminal's width when stdout is one (tables fit it); aws assumes 80 otherwise. */
  terminalColumns: number | undefined;
  version: string;
}

const DEFAULT_TIMEOUT_SECONDS = 60;
const OUTPUTS = ["json", "text", "table", "yaml", "yaml-stream"] as const;
type Output = (typeof OUTPUTS)[number];

/** Runs the command; returns the exit code. Errors are printed as the aws CLI prints them. */
export function runStsCommand(operation: StsOperation, argv: readonly string[], io: CommandIo): Promise<number> {
  return exitCodeOf(() => run(operation, argv, io), io.stderr);
}

async function run(operation: StsOperation, argv: readonly string[], io: CommandIo): Promise<number> {
  const { options, parameters } = parseArgs(argv, operation);
  if (options.has("--version")) {
    io.stdout(`${PROGRAM}/${io.version} node/${process.versions.node}\n`);
    return EXIT.ok;
  }
  const debug = options.has("--debug") ? (line: string) => io.stderr(`${new Date().toISOString()} - ${PROGRAM} - DEBUG - ${line}\n`) : undefined;

  const files = readSharedFiles(io);
  const profile = profileName(options.get("--profile"), io);
  if (profile.named && profile.name !== "default" && !files.config.has(profile.name) && !files.credentials.has(profile.name)) {
    throw new CliError(EXIT.general, `The config profile (${profile.name}) could not be found`);
  }
  const output = outputFormat(options.get("--output"), io, files, profile.name);

  const skeleton = options.get("--generate-cli-skeleton");
  if (skeleton === "output") throw new CliError(EXIT.parameter, `Parameter validation failed:\n${operation.outputSkeletonError}`);
  if (skeleton === "input" || skeleton === "yaml-input") {
    io.stdout(inputSkeleton(operation, skeleton));
    return EXIT.ok;
  }

  const cliInput = await readCliInput(options, io);
  const params = buildParameters(operation, parameters, cliInput, io);
  const query = options.get("--query");
  // Fail on a bad --query before any request is sent, as the aws CLI does.
  const { formatOutput, checkQuery, FormatterError } = await import("./output/index.js");
  if (query !== undefined) checkQuery(query);

  const region = resolveRegion(options.get("--region"), io, files, profile.name);
  const endpoint = resolveEndpoint(options.get("--endpoint-url"), region, io, files, profile.name);
  // A custom endpoint has no partition to take a signing region from (aws CLI v2 2.9.19).
  if (region === undefined && !endpoint.global) {
    throw new CliError(EXIT.configuration, 'You must specify a region. You can also configure your region by running "aws configure".');
  }
  const credentials = await resolveCredentials(io, files, profile);
  debug?.(`endpoint ${endpoint.url}, signing region ${endpoint.signingRegion}, profile ${profile.name}`);

  const { result } = await callSts(operation, params, credentials, endpoint, {
    connectTimeoutMs: timeout(options.get("--cli-connect-timeout")),
    readTimeoutMs: timeout(options.get("--cli-read-timeout")),
    verifySsl: !options.has("--no-verify-ssl"),
    caBundle: resolveCaBundle(options.get("--ca-bundle"), io, files, profile.name),
    maxAttempts: resolveMaxAttempts(io, files, profile.name),
    userAgent: `${PROGRAM}/${io.version} node/${process.versions.node} command/sts.${operation.command}`,
    debug,
  });
  // Only tables have colours and a width: the others do not ask the terminal (start-up, cli/sts.ts).
  const table = output === "table";
  const color = table && colorOn(options.get("--color"), io.stdoutIsTty);
  const terminalWidth = table ? io.terminalColumns : undefined;
  try {
    io.stdout(formatOutput(result, { output, query, operationName: operation.name, color, terminalWidth }));
  } catch (e) {
    // The text formatter may have written part of its output before it fails, as aws's does.
    if (e instanceof FormatterError) io.stdout(e.stdout);
    throw e;
  }
  return EXIT.ok;
}

function outputFormat(flag: string | undefined, io: ClientEnvironment, files: SharedFiles, profile: string): Output {
  const value = flag ?? io.env.AWS_DEFAULT_OUTPUT ?? profileSetting(files, profile, "output") ?? "json";
  if (!(OUTPUTS as readonly string[]).includes(value)) throw new CliError(EXIT.general, `Unknown output type: ${value}`);
  return value as Output;
}

/** Seconds from --cli-*-timeout (Python int(), 0 = none), default 60; in ms. */
function timeout(value: string | undefined): number {
  return (value === undefined ? DEFAULT_TIMEOUT_SECONDS : pythonInt(value)) * 1000;
}

function colorOn(flag: string | undefined, tty: boolean): boolean {
  return flag === "on" || ((flag ?? "auto") === "auto" && tty);
}
