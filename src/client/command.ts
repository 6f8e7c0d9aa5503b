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
  resolveCredentials,
  resolveEndpoint,
  resolveRegion,
  type ClientEnvironment,
  type SharedFiles,
} from "./config.js";
import { CliError, EXIT } from "./errors.js";
import type { StsOperation } from "./operations.js";
import { buildParameters, inputSkeleton, readCliInput } from "./parameters.js";
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
export async function runStsCommand(operation: StsOperation, argv: readonly string[], io: CommandIo): Promise<number> {
  try {
    return await run(operation, argv, io);
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr(`\n${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
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
    caBundle: options.get("--ca-bundle") ?? (io.env.AWS_CA_BUNDLE || profileSetting(files, profile.name, "ca_bundle")),
    maxAttempts: maxAttempts(io, files, profile.name),
    userAgent: `${PROGRAM}/${io.version} node/${process.versions.node} command/sts.${operation.command}`,
    debug,
  });
  const color = colorOn(options.get("--color"), io.stdoutIsTty);
  try {
    io.stdout(formatOutput(result, { output, query, operationName: operation.name, color, terminalWidth: io.terminalColumns }));
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
  if (value === undefined) return DEFAULT_TIMEOUT_SECONDS * 1000;
  if (!/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(value)) {
    throw new CliError(EXIT.general, `invalid literal for int() with base 10: '${value}'`);
  }
  return Number(value.replace(/[_\s]/g, "")) * 1000;
}

/** AWS_MAX_ATTEMPTS / max_attempts, else the retry mode's default (standard: 3, legacy: 5). */
function maxAttempts(io: ClientEnvironment, files: SharedFiles, profile: string): number {
  const configured = io.env.AWS_MAX_ATTEMPTS ?? profileSetting(files, profile, "max_attempts");
  if (configured !== undefined && /^\d+$/.test(configured) && Number(configured) > 0) return Number(configured);
  const mode = io.env.AWS_RETRY_MODE ?? profileSetting(files, profile, "retry_mode") ?? "standard";
  return mode === "legacy" ? 5 : 3;
}

function colorOn(flag: string | undefined, tty: boolean): boolean {
  return flag === "on" || ((flag ?? "auto") === "auto" && tty);
}
