import { describe, expect, it } from "vitest";
import { assumeRoleHint, type AssumedVia, type RoleHintContext } from "./role-hints.js";
import { ServiceError } from "./sts-request.js";

const ROLE = "arn:aws:iam::123456789012:role/Admin";
const ALICE = "arn:aws:iam::123456789012:user/alice";
const denied = (caller: string, resource: string) =>
  new ServiceError("AccessDenied", `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${resource}`, 403, "AssumeRole", 0);
const validation = (message: string) => new ServiceError("ValidationError", message, 400, "AssumeRole", 0);
const ctx = (via: AssumedVia, extra: Partial<RoleHintContext> = {}): RoleHintContext => ({ profile: "admin", roleArn: ROLE, durationSeconds: undefined, via, ...extra });

const EXISTS = "- the role Admin does not exist in account 123456789012 (AWS answers the same as for a refusal): check with aws iam get-role --role-name Admin;";
const TRUST =
  `- the role's trust policy does not let ${ALICE} assume it: its Principal must name ${ALICE}, ` +
  "or the account together with a policy of the caller that allows sts:AssumeRole on the role;";
const HEAD = "AWS refuses in the same words for each of these causes; the possible ones here:";

describe("not authorized to perform sts:AssumeRole", () => {
  it("from an MFA session: the role may not exist, or the trust policy does not name the caller (MFA is not in doubt)", () => {
    expect(assumeRoleHint(denied(ALICE, ROLE), ctx({ kind: "session", source: "work", mfa: true }))).toBe(`${HEAD}\n${EXISTS}\n${TRUST}`);
  });

  it("from a session made without MFA: the trust policy's MFA condition too, with what to add", () => {
    expect(assumeRoleHint(denied(ALICE, ROLE), ctx({ kind: "session", source: "work", mfa: false }))).toBe(
      `${HEAD}\n${EXISTS}\n${TRUST}\n` +
        "- the trust policy requires MFA (aws:MultiFactorAuthPresent), and the session in [work] was made without an MFA code: " +
        "neither profile admin nor profile work has mfa_serial. Add mfa_serial = arn:aws:iam::ACCOUNT_ID:mfa/DEVICE to profile admin, " +
        "then renew the session and the role: mfa-sts login --profile work --force, then mfa-sts login --profile admin --force.",
    );
  });

  it("directly with the long-term key and no device", () => {
    expect(assumeRoleHint(denied(ALICE, ROLE), ctx({ kind: "direct", longTermSection: "work-long-term", serialNumber: undefined }))).toBe(
      `${HEAD}\n${EXISTS}\n${TRUST}\n` +
        "- the trust policy requires MFA (aws:MultiFactorAuthPresent), and no MFA code was sent because profile admin has no mfa_serial: " +
        "add mfa_serial = arn:aws:iam::ACCOUNT_ID:mfa/DEVICE to profile admin.",
    );
  });

  it("from another role (chaining): the trusted principal is the caller's role", () => {
    const caller = "arn:aws:sts::123456789012:assumed-role/Inner/mfa-sts-session-1";
    const hint = assumeRoleHint(denied(caller, ROLE), ctx({ kind: "role", sourceProfile: "inner" }))!;
    expect(hint).toContain(
      `its Principal must name the role arn:aws:iam::123456789012:role/Inner (or this session's ARN), or the account together with a policy`,
    );
    expect(hint).toContain("- the trust policy requires MFA (aws:MultiFactorAuthPresent): the call was made with the credentials of role profile inner (role chaining)");
  });

  it("a resource that is not a role's ARN (a user's, say)", () => {
    expect(assumeRoleHint(denied(ALICE, ALICE), ctx({ kind: "session", source: "work", mfa: true }, { roleArn: ALICE }))).toBe(
      `${ALICE} (role_arn of profile admin) is not a role's ARN, and AWS answers anything else as if access were denied. A role's ARN is arn:aws:iam::ACCOUNT_ID:role/NAME.`,
    );
  });
});

describe("durations and names", () => {
  it("the chaining limit, from a session and from another role", () => {
    const error = validation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
    expect(assumeRoleHint(error, ctx({ kind: "session", source: "work", mfa: true }, { durationSeconds: 7200 }))).toBe(
      "profile admin asks for duration_seconds = 7200; AWS gives a role assumed with temporary credentials at most one hour. " +
        "Set duration_seconds to 3600 or less, or assume it with the long-term key and an MFA code: mfa-sts login --profile admin --no-session.",
    );
    expect(assumeRoleHint(error, ctx({ kind: "role", sourceProfile: "inner" }, { durationSeconds: 7200 }))).toBe(
      "profile admin asks for duration_seconds = 7200; its source_profile inner is itself a role profile, and AWS gives a role assumed " +
        "with another role's credentials (role chaining) at most one hour. Set duration_seconds to 3600 or less.",
    );
  });

  it("MaxSessionDuration", () => {
    const error = validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    expect(assumeRoleHint(error, ctx({ kind: "direct", longTermSection: "work-long-term", serialNumber: "x" }, { durationSeconds: 7200 }))).toBe(
      "duration_seconds = 7200 of profile admin asks for more than the role's MaxSessionDuration. Lower duration_seconds, " +
        "or raise the role's maximum (3600 to 43200 seconds): aws iam update-role --role-name Admin --max-session-duration 7200.",
    );
  });

  it("a role ARN AWS cannot read, and a session name it refuses", () => {
    const arn = "arn:aws:iam:123456789012:role/Admin";
    expect(assumeRoleHint(validation(`${arn} is invalid`), ctx({ kind: "session", source: "work", mfa: true }, { roleArn: arn }))).toBe(
      `role_arn = ${arn} in profile admin is not an ARN AWS can read. A role's ARN is arn:aws:iam::ACCOUNT_ID:role/NAME ` +
        "(the console shows it on the role's page; aws iam get-role --role-name NAME prints it).",
    );
    const name = validation(
      "1 validation error detected: Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    );
    expect(assumeRoleHint(name, ctx({ kind: "session", source: "work", mfa: true }))).toBe(
      "role_session_name of profile admin must be 2 to 64 characters of letters, digits and + = , . @ - (no spaces or colons).",
    );
  });

  it("a session STS no longer takes, though the file says it is good", () => {
    const expired = new ServiceError("ExpiredToken", "The security token included in the request is expired", 403, "AssumeRole", 0);
    expect(assumeRoleHint(expired, ctx({ kind: "session", source: "work", mfa: true }))).toBe(
      "STS no longer takes the session in [work], though its aws_credential_expiration has not passed. " +
        "Make a new one: mfa-sts login --profile work --force, then mfa-sts login --profile admin.",
    );
  });

  it("the root user, and errors it has nothing to add to", () => {
    const root = new ServiceError("AccessDenied", "Roles may not be assumed by root accounts.", 403, "AssumeRole", 0);
    expect(assumeRoleHint(root, ctx({ kind: "direct", longTermSection: "work-long-term", serialNumber: undefined }))).toBe(
      "[work-long-term] belongs to the account's root user, and AWS lets no root user assume a role: use an IAM user's access key instead.",
    );
    expect(assumeRoleHint(new ServiceError("Throttling", "Rate exceeded", 400, "AssumeRole", 4), ctx({ kind: "session", source: "w", mfa: true }))).toBeUndefined();
  });
});
