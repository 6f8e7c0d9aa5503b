/**
 * Role profiles as botocore reads them (spec §8.1, botocore `AssumeRoleProvider`): `role_arn`
 * with `source_profile` (or `credential_source`), plus `mfa_serial`, `role_session_name`,
 * `external_id` and `duration_seconds`, from the config file with the credentials file's keys
 * over it. The checks and their texts are botocore's, in its order, so a profile the aws CLI
 * refuses is refused here in the same words.
 *
 * One extension, for mfa-sts's own layout: a source profile whose keys live in
 * `[SOURCE<long-term suffix>]` counts as existing and as having credentials even before the first
 * `login` has written its session into `[SOURCE]`.
 */
import { pythonRepr } from "./args.js";
import type { SharedFiles } from "./config.js";
import { CliError, EXIT } from "./errors.js";
import type { IniValue } from "./ini.js";

export type Profile = Readonly<Record<string, IniValue>>;

/** botocore's `session.full_config["profiles"]`: config-file profiles, credentials-file keys merged over them. */
export function mergedProfiles(files: SharedFiles): ReadonlyMap<string, Profile> {
  const profiles = new Map<string, Profile>();
  for (const [name, section] of files.config) profiles.set(name, { ...section });
  for (const [name, section] of files.credentials) profiles.set(name, { ...profiles.get(name), ...section });
  return profiles;
}

/** botocore's `_has_assume_role_config_vars`: the key is present (even empty), and no web identity. */
export const isRoleProfile = (profile: Profile | undefined): boolean =>
  profile !== undefined && "role_arn" in profile && !("web_identity_token_file" in profile);

const hasStaticCredentials = (profile: Profile | undefined): boolean =>
  profile !== undefined && ("aws_access_key_id" in profile || "aws_secret_access_key" in profile);

/** A value as botocore's `profile.get(key)` gives it: a string, present even when empty. */
function setting(profile: Profile, key: string): string | undefined {
  const value = profile[key];
  return typeof value === "string" ? value : undefined;
}

/** Python's int() of a config string; botocore ignores duration_seconds when it does not parse. */
export function pythonIntOrUndefined(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(text)) return undefined;
  return Number(text.replace(/[_\s]/g, ""));
}

export interface RoleProfile {
  name: string;
  roleArn: string;
  sourceProfile: string;
  mfaSerial?: string;
  /** Only when configured and not empty: an empty one is generated, as botocore does. */
  roleSessionName?: string;
  externalId?: string;
  durationSeconds?: number;
}

export interface RoleChain {
  /** The roles to assume in order: first the one whose source is `source`, last the one asked for. */
  roles: RoleProfile[];
  /** The profile of the IAM user: long-term key in `[source<suffix>]`, MFA session in `[source]`. */
  source: string;
}

const CREDENTIAL_SOURCES = ["Environment", "EcsContainer", "Ec2InstanceMetadata"];

const configError = (message: string) => new CliError(EXIT.general, message);

/**
 * The role chain of profile `name` (a role profile). Throws botocore's errors for a profile it
 * would refuse, and mfa-sts's own (exit 253) for sources it cannot build an MFA session from.
 */
export function resolveRoleChain(files: SharedFiles, name: string, longTermSuffix: string): RoleChain {
  const profiles = mergedProfiles(files);
  const hasLongTerm = (profile: string) => longTermSuffix !== "none" && files.credentials.has(`${profile}${longTermSuffix}`);
  const hasKeys = (profile: string) => hasStaticCredentials(profiles.get(profile)) || hasLongTerm(profile);
  const visited = [name];
  const roles: RoleProfile[] = [];

  for (let current = name; ; ) {
    const profile = profiles.get(current);
    if (!isRoleProfile(profile)) throw new Error(`${current} is not a role profile`);
    const role = roleConfig(current, profile!);
    const source = role.sourceProfile;

    // botocore's _validate_source_profile.
    if (!profiles.has(source) && !hasLongTerm(source)) {
      throw configError(`The source_profile "${source}" referenced in the profile "${current}" does not exist.`);
    }
    if (visited.includes(source) && (source !== current || !hasKeys(source))) {
      throw configError(
        `Infinite loop in credential configuration detected. Attempting to load from profile ${source} which has already been visited. ` +
          `Visited profiles: [${visited.map(pythonRepr).join(", ")}]`,
      );
    }
    roles.unshift(role);
    visited.push(source);

    // botocore's _resolve_credentials_from_profile: static keys first, then another role. A
    // profile sourcing itself (allowed only with keys, checked above) is never a role again.
    const sourceProfile = profiles.get(source);
    if (hasStaticCredentials(sourceProfile) || source === current) return { roles, source };
    if (isRoleProfile(sourceProfile)) {
      current = source;
      continue;
    }
    if (hasLongTerm(source)) return { roles, source };
    const elsewhere = ["credential_process", "sso_session", "sso_start_url"].find((key) => sourceProfile !== undefined && key in sourceProfile);
    if (elsewhere !== undefined) {
      throw new CliError(
        EXIT.configuration,
        `The source profile "${source}" gets its credentials from ${elsewhere}; mfa-sts makes an MFA session from an IAM user's ` +
          `long-term key: put it in [${source}${longTermSuffix === "none" ? "" : longTermSuffix}] of the credentials file.`,
      );
    }
    throw configError(`The source profile "${source}" must have credentials.`);
  }
}

/** The AssumeRole settings of a profile, read as botocore reads them (no checks). */
function readSettings(name: string, profile: Profile): Omit<RoleProfile, "sourceProfile"> {
  const roleSessionName = setting(profile, "role_session_name");
  const mfaSerial = setting(profile, "mfa_serial");
  const externalId = setting(profile, "external_id");
  const durationSeconds = pythonIntOrUndefined(setting(profile, "duration_seconds"));
  // Python's int() has no limit; a number past JavaScript's exact integers is no duration AWS takes.
  if (durationSeconds !== undefined && !Number.isSafeInteger(durationSeconds)) {
    throw configError(`duration_seconds = ${setting(profile, "duration_seconds")!.trim()} in [profile ${name}] is not a duration AWS accepts (900 to 43200 seconds).`);
  }
  return {
    name,
    roleArn: setting(profile, "role_arn") ?? "",
    ...(mfaSerial !== undefined && { mfaSerial }),
    ...(roleSessionName !== undefined && roleSessionName !== "" && { roleSessionName }),
    ...(externalId !== undefined && { externalId }),
    ...(durationSeconds !== undefined && { durationSeconds }),
  };
}

/** botocore's _get_role_config for one profile, with its checks. */
function roleConfig(name: string, profile: Profile): RoleProfile {
  const sourceProfile = setting(profile, "source_profile");
  const credentialSource = setting(profile, "credential_source");
  if (credentialSource !== undefined && sourceProfile !== undefined) {
    throw configError(`The profile "${name}" contains both source_profile and credential_source.`);
  }
  if (credentialSource === undefined && sourceProfile === undefined) {
    throw configError("Partial credentials found in assume-role, missing: source_profile or credential_source");
  }
  if (credentialSource !== undefined) {
    if (!CREDENTIAL_SOURCES.includes(credentialSource)) {
      throw configError(`The credential source "${credentialSource}" referenced in profile "${name}" is not valid.`);
    }
    throw new CliError(
      EXIT.configuration,
      `The profile "${name}" takes its source credentials from credential_source = ${credentialSource}; ` +
        "mfa-sts assumes roles from an MFA session of a source_profile: use source_profile.",
    );
  }
  return { ...readSettings(name, profile), sourceProfile: sourceProfile! };
}

export interface RoleProfileSummary extends Omit<RoleProfile, "sourceProfile"> {
  /** source_profile, else credential_source, as written. */
  source: string | undefined;
}

/** Every role profile with its settings, unchecked: status lists the ones the aws CLI would refuse too. */
export function roleProfiles(files: SharedFiles): RoleProfileSummary[] {
  return [...mergedProfiles(files)]
    .filter(([, profile]) => isRoleProfile(profile))
    .map(([name, profile]) => ({ ...readSettings(name, profile), source: setting(profile, "source_profile") ?? setting(profile, "credential_source") }));
}
