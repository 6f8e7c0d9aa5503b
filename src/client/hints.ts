/**
 * What to do about the failures people meet on the way to a session (the seed pages'
 * troubleshooting sections, spec §4.2), printed after AWS's own error line.
 */
import type { ServiceError } from "./sts-request.js";

export interface HintContext {
  profile: string;
  longTermSection: string;
  credentialsFile: string;
  serialNumber: string | undefined;
  /** ms the local clock is behind (−) or ahead (+) of the server's, when known. */
  skewMs?: number;
}

export function hintFor(error: ServiceError, ctx: HintContext): string | undefined {
  const { code, serviceMessage: message } = error;
  const lt = `[${ctx.longTermSection}]`;
  if (code === "AccessDenied" && message.startsWith("Cannot call GetSessionToken with session credentials")) {
    return (
      `${lt} in ${ctx.credentialsFile} holds temporary credentials (an ASIA… key or a session token). ` +
      `Put the IAM user's long-term access key (AKIA…) there and remove aws_session_token from it; ` +
      `mfa-sts login writes the session into [${ctx.profile}].`
    );
  }
  if (code === "AccessDenied" && message.startsWith("MultiFactorAuthentication failed, unable to validate MFA code")) {
    const serial = ctx.serialNumber ?? "";
    const user = /^arn:aws[\w-]*:iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/.exec(serial);
    if (user) {
      return (
        `${serial} is the user's ARN, not its MFA device. The device's serial number looks like ` +
        `arn:aws:iam::${user[1]}:mfa/NAME: find it with \`aws iam list-mfa-devices --user-name ${user[2]}\` ` +
        `(SerialNumber), or in the IAM console under Security credentials → Multi-factor authentication (MFA).`
      );
    }
    return (
      `${serial} is not an MFA device assigned to the user of ${lt}. Check mfa_serial in [profile ${ctx.profile}] ` +
      `or --serial-number against \`aws iam list-mfa-devices\`.`
    );
  }
  if (code === "AccessDenied" && message.startsWith("MultiFactorAuthentication failed with invalid MFA one time pass code")) {
    return (
      "The code was wrong, or already used: each code works once, and a new one comes every 30 seconds. " +
      "Wait for the next code. If codes keep failing, check the clock of the device (or resync it: aws iam resync-mfa-device)."
    );
  }
  if (code === "InvalidClientTokenId" && message.endsWith(".")) {
    return `AWS does not know the access key in ${lt}: it was deleted, deactivated or mistyped. Check it with \`aws iam list-access-keys\`, or create a new one.`;
  }
  if (code === "InvalidClientTokenId") {
    return `${lt} must hold only aws_access_key_id and aws_secret_access_key: remove its aws_session_token.`;
  }
  if (code === "SignatureDoesNotMatch" && /^Signature (expired|not yet current)/.test(message)) {
    return `This computer's clock is off${ctx.skewMs === undefined ? "" : ` by ${describeSkew(ctx.skewMs)}`}: signatures (and MFA codes) depend on it. Sync it (e.g. \`sudo timedatectl set-ntp true\`) and try again.`;
  }
  if (code === "SignatureDoesNotMatch") {
    return `The aws_secret_access_key in ${lt} does not belong to its aws_access_key_id: copy both from the same key.`;
  }
  if (code === "Throttling") {
    // An mfa-sts server's attempt limit (its README, "Attempt limits"); at AWS, plain throttling.
    const device = ctx.serialNumber === undefined ? "the MFA device" : `the MFA device ${ctx.serialNumber}`;
    return (
      `Too many failed attempts: ${device} (or the access key in ${lt}) is locked for a while. ` +
      `An mfa-sts server locks it after 5 wrong codes (or bad signatures) within 5 minutes, for 15 minutes by default, ` +
      `counted from the failure that locked it; until then every attempt is refused, even with the right code, ` +
      `and retrying does not extend the lock. Wait that long, then log in with a fresh code.`
    );
  }
  if (code === "ExpiredToken") {
    // Login signs with the long-term section: an expired token there is a session kept in the
    // wrong place (running login again cannot help), not [P]'s own session running out.
    return (
      `${lt} holds a session, and it has expired. Put the IAM user's long-term access key (AKIA…) there ` +
      `and remove aws_session_token from it; mfa-sts login writes the session into [${ctx.profile}].`
    );
  }
  return undefined;
}

export function describeSkew(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  const text = seconds >= 120 ? `${Math.round(seconds / 60)} minutes` : `${seconds} seconds`;
  return `${text} (${ms > 0 ? "ahead of" : "behind"} AWS)`;
}

export function missingLongTermHint(ctx: HintContext): string {
  return (
    `There is no [${ctx.longTermSection}] section in ${ctx.credentialsFile}. Add the IAM user's long-term key there:\n\n` +
    `[${ctx.longTermSection}]\naws_access_key_id = AKIA...\naws_secret_access_key = ...\n`
  );
}
