/**
 * What to do about AssumeRole's failures (issue 14 item 5, spec §3), printed after AWS's own
 * error line as hints.ts does for GetSessionToken. AWS words several different causes the same
 * way ("… is not authorized to perform: sts:AssumeRole …" also for a role that does not exist),
 * so the hint lists the causes that are possible given how the call was made.
 */
import type { ServiceError } from "./sts-request.js";

/** How the failed AssumeRole was signed. */
export type AssumedVia =
  /** with the MFA session of `source` (GetSessionToken); `mfa`: a device was used for it */
  | { kind: "session"; source: string; mfa: boolean }
  /** with the long-term key in `longTermSection`, the MFA code on the call when `serialNumber` */
  | { kind: "direct"; longTermSection: string; serialNumber: string | undefined }
  /** with the credentials of another role profile (role chaining) */
  | { kind: "role"; sourceProfile: string };

export interface RoleHintContext {
  /** The role profile whose role was being assumed. */
  profile: string;
  roleArn: string;
  durationSeconds: number | undefined;
  via: AssumedVia;
}

const NOT_AUTHORIZED = /^User: (\S+) is not authorized to perform: sts:AssumeRole on resource: (.*)$/;
const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;
const CHAINING = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.";
const MAX_SESSION = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.";
const SESSION_NAME = /at 'roleSessionName' failed to satisfy constraint/;

export function assumeRoleHint(error: ServiceError, ctx: RoleHintContext): string | undefined {
  const { code, serviceMessage: message } = error;
  const denied = code === "AccessDenied" ? NOT_AUTHORIZED.exec(message) : null;
  if (denied) return notAuthorizedHint(denied[1]!, denied[2]!, ctx);
  if (code === "AccessDenied" && message === "Roles may not be assumed by root accounts.") {
    const where = ctx.via.kind === "direct" ? `[${ctx.via.longTermSection}]` : ctx.via.kind === "session" ? `the session in [${ctx.via.source}]` : "the source";
    return `${where} belongs to the account's root user, and AWS lets no root user assume a role: use an IAM user's access key instead.`;
  }
  if ((code === "ExpiredToken" || code === "InvalidClientTokenId") && ctx.via.kind === "session") {
    // The file says the session is good for a while yet; STS disagrees (revoked, or the file edited).
    return (
      `STS no longer takes the session in [${ctx.via.source}], though its aws_credential_expiration has not passed. ` +
      `Make a new one: mfa-sts login --profile ${ctx.via.source} --force, then mfa-sts login --profile ${ctx.profile}.`
    );
  }
  if (code === "ValidationError" && message === CHAINING) {
    const asked = ctx.durationSeconds === undefined ? "" : `profile ${ctx.profile} asks for duration_seconds = ${ctx.durationSeconds}; `;
    const why =
      ctx.via.kind === "role"
        ? `its source_profile ${ctx.via.sourceProfile} is itself a role profile, and AWS gives a role assumed with another role's credentials (role chaining) at most one hour. Set duration_seconds to 3600 or less.`
        : "AWS gives a role assumed with temporary credentials at most one hour. Set duration_seconds to 3600 or less, " +
          `or assume it with the long-term key and an MFA code: mfa-sts login --profile ${ctx.profile} --no-session.`;
    return asked + why;
  }
  if (code === "ValidationError" && message === MAX_SESSION) {
    const role = ROLE_ARN.exec(ctx.roleArn);
    const asked = ctx.durationSeconds === undefined ? "profile " + ctx.profile : `duration_seconds = ${ctx.durationSeconds} of profile ${ctx.profile}`;
    const raise = role
      ? `raise the role's maximum (3600 to 43200 seconds): aws iam update-role --role-name ${role[2]} --max-session-duration ${ctx.durationSeconds ?? 43200}.`
      : "raise the role's MaxSessionDuration (3600 to 43200 seconds).";
    return `${asked} asks for more than the role's MaxSessionDuration. Lower duration_seconds, or ${raise}`;
  }
  if (code === "ValidationError" && message === `${ctx.roleArn} is invalid`) {
    return (
      `role_arn = ${ctx.roleArn} in profile ${ctx.profile} is not an ARN AWS can read. A role's ARN is ` +
      "arn:aws:iam::ACCOUNT_ID:role/NAME (the console shows it on the role's page; aws iam get-role --role-name NAME prints it)."
    );
  }
  if (code === "ValidationError" && SESSION_NAME.test(message)) {
    return `role_session_name of profile ${ctx.profile} must be 2 to 64 characters of letters, digits and + = , . @ - (no spaces or colons).`;
  }
  return undefined;
}

function notAuthorizedHint(caller: string, resource: string, ctx: RoleHintContext): string {
  const role = ROLE_ARN.exec(resource);
  if (!role) {
    return (
      `${resource} (role_arn of profile ${ctx.profile}) is not a role's ARN, and AWS answers anything else as if access were denied. ` +
      "A role's ARN is arn:aws:iam::ACCOUNT_ID:role/NAME."
    );
  }
  const [, account, name] = role;
  const causes = [
    `the role ${name} does not exist in account ${account} (AWS answers the same as for a refusal): check with aws iam get-role --role-name ${name};`,
    `the role's trust policy does not let ${caller} assume it: its Principal must name ${trustedPrincipal(caller)}, ` +
      "or the account together with a policy of the caller that allows sts:AssumeRole on the role;",
  ];
  const mfa = mfaCause(ctx);
  if (mfa !== undefined) causes.push(mfa);
  return `AWS refuses in the same words for each of these causes; the possible ones here:\n${causes.map((c) => `- ${c}`).join("\n")}`;
}

/** What a trust policy names to let this caller in: the user, or the role behind a role session. */
function trustedPrincipal(caller: string): string {
  const session = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(caller);
  return session ? `the role arn:${session[1]}:iam::${session[2]}:role/${session[3]} (or this session's ARN)` : caller;
}

/** The MFA cause, when the call could have lacked what a trust policy's MFA condition wants. */
function mfaCause(ctx: RoleHintContext): string | undefined {
  const condition = "the trust policy requires MFA (aws:MultiFactorAuthPresent)";
  const addSerial = `add mfa_serial = arn:aws:iam::ACCOUNT_ID:mfa/DEVICE to profile ${ctx.profile}`;
  switch (ctx.via.kind) {
    case "session":
      return ctx.via.mfa
        ? undefined
        : `${condition}, and the session in [${ctx.via.source}] was made without an MFA code: neither profile ${ctx.profile} nor profile ${ctx.via.source} ` +
            `has mfa_serial. ${capitalize(addSerial)}, then renew the session and the role: mfa-sts login --profile ${ctx.via.source} --force, ` +
            `then mfa-sts login --profile ${ctx.profile} --force.`;
    case "direct":
      return ctx.via.serialNumber !== undefined ? undefined : `${condition}, and no MFA code was sent because profile ${ctx.profile} has no mfa_serial: ${addSerial}.`;
    case "role":
      // UNCONFIRMED on AWS (spec §4.4): whether MFA carries over a role-chaining hop.
      return `${condition}: the call was made with the credentials of role profile ${ctx.via.sourceProfile} (role chaining), which may not count as MFA-authenticated.`;
  }
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
