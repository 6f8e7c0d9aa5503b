/**
 * `mfa-sts login --profile P`: a role profile (role_arn, as botocore decides) is logged in
 * through its source profile's MFA session (role-login.ts); any other profile gets the MFA
 * session itself (login.ts).
 */
import { readSharedFiles } from "./config.js";
import { CliError, EXIT } from "./errors.js";
import { loginOrThrow, sessionProfile, type Session, type WorkflowIo } from "./login.js";
import { isRoleProfileName, roleLoginOrThrow, type RoleLoginOptions } from "./role-login.js";

export async function loginCommand(options: RoleLoginOptions, io: WorkflowIo): Promise<Session> {
  const profile = sessionProfile(options.profile, io);
  if (isRoleProfileName(readSharedFiles(io), profile)) return roleLoginOrThrow(profile, options, io);
  if (options.noSession) {
    throw new CliError(EXIT.parameter, `--no-session is for role profiles (role_arn and source_profile); profile ${profile} has no role_arn.`);
  }
  return loginOrThrow(options, io);
}
