/**
 * Configuration as aws CLI v2 resolves it (spec §8.8): the profile, the shared files, region,
 * endpoint, credentials (env, credentials file, credential_process, config file), timeouts and
 * retries. Everything is read from the `ClientEnvironment` given, never from `process` directly.
 */
import { readFileSync } from "node:fs";
import { CliError, EXIT } from "./errors.js";
import { parseIni, type IniFile, type IniSection } from "./ini.js";
import { expandUser, expandVars } from "./paths.js";

export interface ClientEnvironment {
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  cwd: string;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SharedFiles {
  /** `[default]` and `[profile NAME]` sections of the config file, by profile name. */
  config: ReadonlyMap<string, IniSection>;
  /** `[services NAME]` sections of the config file. */
  services: ReadonlyMap<string, IniSection>;
  /** `[NAME]` sections of the credentials file. */
  credentials: ReadonlyMap<string, IniSection>;
}

/** As botocore's raw_config_parse: variables first, then `~`. */
const configPath = (path: string, ce: ClientEnvironment): string => expandUser(expandVars(path, ce.env), ce.home);

function readIni(path: string): IniFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return new Map(); // a missing or unreadable file is an empty one, as in botocore
  }
  try {
    return parseIni(text);
  } catch (e) {
    throw new CliError(EXIT.general, `Unable to parse config file: ${path}`, { cause: e });
  }
}

export function configFilePath(ce: ClientEnvironment): string {
  return configPath(ce.env.AWS_CONFIG_FILE ?? "~/.aws/config", ce);
}

export function credentialsFilePath(ce: ClientEnvironment): string {
  return configPath(ce.env.AWS_SHARED_CREDENTIALS_FILE ?? "~/.aws/credentials", ce);
}

export function readSharedFiles(ce: ClientEnvironment): SharedFiles {
  const config = new Map<string, IniSection>();
  const services = new Map<string, IniSection>();
  for (const [name, section] of readIni(configFilePath(ce))) {
    if (name === "default") config.set("default", section);
    else if (name.startsWith("profile ")) config.set(name.slice("profile ".length).trim(), section);
    else if (name.startsWith("services ")) services.set(name.slice("services ".length).trim(), section);
  }
  return { config, services, credentials: readIni(credentialsFilePath(ce)) };
}

/** The profile in use, and whether it was chosen with --profile (which turns env credentials off). */
export function profileName(flag: string | undefined, ce: ClientEnvironment): { name: string; explicit: boolean; named: boolean } {
  if (flag !== undefined) return { name: flag, explicit: true, named: true };
  const fromEnv = ce.env.AWS_PROFILE || ce.env.AWS_DEFAULT_PROFILE;
  return { name: fromEnv || "default", explicit: false, named: !!fromEnv };
}

/** A string setting of the profile (config file). */
export function profileSetting(files: SharedFiles, profile: string, key: string): string | undefined {
  const value = files.config.get(profile)?.[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** botocore's check on region names (`validate_region_name`). */
const REGION = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

export function resolveRegion(flag: string | undefined, ce: ClientEnvironment, files: SharedFiles, profile: string): string | undefined {
  const region = flag || ce.env.AWS_REGION || ce.env.AWS_DEFAULT_REGION || profileSetting(files, profile, "region");
  if (region !== undefined && !REGION.test(region)) {
    throw new CliError(EXIT.general, `Provided region_name '${region}' doesn't match a supported format.`);
  }
  return region;
}

export interface Endpoint {
  url: string;
  signingRegion: string;
  /** The global endpoint chosen for want of a region. */
  global: boolean;
}

/**
 * The STS endpoint: --endpoint-url, then AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile's
 * `services` section and `endpoint_url` (unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS), else the
 * regional endpoint of the region's partition. No region (or `aws-global`): the global endpoint,
 * signed for us-east-1, as aws CLI v2 2.9.19 does.
 */
export function resolveEndpoint(
  flag: string | undefined,
  region: string | undefined,
  ce: ClientEnvironment,
  files: SharedFiles,
  profile: string,
): Endpoint {
  const signingRegion = region === undefined || region === "aws-global" ? "us-east-1" : region;
  const configured = flag ?? configuredEndpoint(ce, files, profile);
  if (configured !== undefined) {
    if (!/^https?:\/\/[^/]/i.test(configured)) {
      throw new CliError(
        EXIT.parameter,
        `Bad value for --endpoint-url "${configured}": scheme is missing.  Must be of the form http://<hostname>/ or https://<hostname>/`,
      );
    }
    return { url: configured, signingRegion, global: false };
  }
  if (region === undefined || region === "aws-global") return { url: "https://sts.amazonaws.com", signingRegion, global: true };
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return { url: `https://sts.${region}.${suffix}`, signingRegion, global: false };
}

function configuredEndpoint(ce: ClientEnvironment, files: SharedFiles, profile: string): string | undefined {
  const ignore = (ce.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? profileSetting(files, profile, "ignore_configured_endpoint_urls"))?.toLowerCase();
  if (ignore === "true") return undefined;
  if (ce.env.AWS_ENDPOINT_URL_STS) return ce.env.AWS_ENDPOINT_URL_STS;
  if (ce.env.AWS_ENDPOINT_URL) return ce.env.AWS_ENDPOINT_URL;
  const servicesName = profileSetting(files, profile, "services");
  const sts = servicesName === undefined ? undefined : files.services.get(servicesName)?.sts;
  if (sts !== undefined && typeof sts !== "string" && sts.endpoint_url) return sts.endpoint_url;
  return profileSetting(files, profile, "endpoint_url");
}

/** --ca-bundle, else AWS_CA_BUNDLE, else the profile's ca_bundle. */
export function resolveCaBundle(flag: string | undefined, ce: ClientEnvironment, files: SharedFiles, profile: string): string | undefined {
  return flag ?? (ce.env.AWS_CA_BUNDLE || profileSetting(files, profile, "ca_bundle"));
}

/** AWS_MAX_ATTEMPTS / max_attempts, else the retry mode's default (standard: 3, legacy: 5). */
export function resolveMaxAttempts(ce: ClientEnvironment, files: SharedFiles, profile: string): number {
  const configured = ce.env.AWS_MAX_ATTEMPTS ?? profileSetting(files, profile, "max_attempts");
  if (configured !== undefined && /^\d+$/.test(configured) && Number(configured) > 0) return Number(configured);
  const mode = ce.env.AWS_RETRY_MODE ?? profileSetting(files, profile, "retry_mode") ?? "standard";
  return mode === "legacy" ? 5 : 3;
}

const NO_CREDENTIALS = 'Unable to locate credentials. You can configure credentials by running "aws configure".';

/**
 * botocore's chain, for what a user of this command can configure: environment (unless
 * --profile was given), the credentials file, credential_process, the config file.
 */
export async function resolveCredentials(
  ce: ClientEnvironment,
  files: SharedFiles,
  profile: { name: string; explicit: boolean },
): Promise<Credentials> {
  if (!profile.explicit && ce.env.AWS_ACCESS_KEY_ID && ce.env.AWS_SECRET_ACCESS_KEY) {
    const token = ce.env.AWS_SESSION_TOKEN || ce.env.AWS_SECURITY_TOKEN;
    return { accessKeyId: ce.env.AWS_ACCESS_KEY_ID, secretAccessKey: ce.env.AWS_SECRET_ACCESS_KEY, ...(token && { sessionToken: token }) };
  }
  const fromCredentialsFile = keysIn(files.credentials.get(profile.name), "shared-credentials-file");
  if (fromCredentialsFile) return fromCredentialsFile;
  const process = profileSetting(files, profile.name, "credential_process");
  if (process !== undefined) return runCredentialProcess(process, ce);
  const fromConfig = keysIn(files.config.get(profile.name), "config-file");
  if (fromConfig) return fromConfig;
  throw new CliError(EXIT.configuration, NO_CREDENTIALS);
}

function keysIn(section: IniSection | undefined, provider: string): Credentials | undefined {
  if (!section) return undefined;
  const value = (key: string): string | undefined => {
    const v = section[key];
    return typeof v === "string" && v !== "" ? v : undefined;
  };
  const accessKeyId = value("aws_access_key_id");
  const secretAccessKey = value("aws_secret_access_key");
  if (accessKeyId === undefined && secretAccessKey === undefined) return undefined;
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    const missing = accessKeyId === undefined ? "aws_access_key_id" : "aws_secret_access_key";
    throw new CliError(EXIT.general, `Partial credentials found in ${provider}, missing: ${missing}`);
  }
  const sessionToken = value("aws_session_token") ?? value("aws_security_token");
  return { accessKeyId, secretAccessKey, ...(sessionToken && { sessionToken }) };
}

/** Splits a command line the way Python's shlex.split does for the common cases (quotes, escapes). */
export function shellSplit(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === "'" || c === '"') {
      const end = command.indexOf(c, i + 1);
      if (end < 0) throw new CliError(EXIT.general, "No closing quotation");
      let quoted = command.slice(i + 1, end);
      if (c === '"') quoted = quoted.replace(/\\(["\\$`])/g, "$1");
      word = (word ?? "") + quoted;
      i = end;
    } else if (c === "\\" && i + 1 < command.length) {
      word = (word ?? "") + command[++i];
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** credential_process: a command printing `{"Version": 1, "AccessKeyId": …}` on stdout. */
async function runCredentialProcess(command: string, ce: ClientEnvironment): Promise<Credentials> {
  const [file, ...args] = shellSplit(command);
  // Loaded only for the profiles that use it: it is a few ms of every start-up.
  const { execFile } = await import("node:child_process");
  const failed = (why: string) => new CliError(EXIT.general, `Error when retrieving credentials from custom-process: ${why}`);
  return new Promise((resolve, reject) => {
    if (file === undefined) return reject(failed("empty credential_process"));
    execFile(file, args, { env: ce.env as NodeJS.ProcessEnv, cwd: ce.cwd, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) return reject(failed(stderr.length > 0 ? stderr : error.message));
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(stdout) as Record<string, unknown>;
      } catch {
        return reject(failed("credential_process did not print JSON"));
      }
      if (parsed.Version !== 1) {
        return reject(failed(`Unsupported version '${String(parsed.Version)}' for credential process provider, supported versions: 1`));
      }
      for (const key of ["AccessKeyId", "SecretAccessKey"]) {
        if (typeof parsed[key] !== "string") return reject(failed(`Missing required key in response: ${key}`));
      }
      const token = parsed.SessionToken;
      resolve({
        accessKeyId: parsed.AccessKeyId as string,
        secretAccessKey: parsed.SecretAccessKey as string,
        ...(typeof token === "string" && { sessionToken: token }),
      });
    });
  });
}
