import { describe, expect, it } from "vitest";
import { compilePolicy } from "./compile.js";
import { PolicyParseError } from "./errors.js";
import { evaluate } from "./evaluate.js";
import { parsePolicy } from "./parse.js";
import { parseTrustPolicy, trustPolicyPrincipals } from "./trust.js";
import { evaluateTrust } from "./trust-evaluate.js";
import type { ContextValue, Decision, RequestContext, TrustCaller } from "./types.js";

const ACCOUNT = "123456789012";
const OTHER_ACCOUNT = "210987654321";
const userArn = (name: string, account = ACCOUNT): string => `arn:aws:iam::${account}:user/${name}`;
const roleArn = (name: string, account = ACCOUNT): string => `arn:aws:iam::${account}:role/${name}`;
const sessionArn = (role: string, session: string, account = ACCOUNT): string => `arn:aws:sts::${account}:assumed-role/${role}/${session}`;
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;

const NO_PRINCIPALS = "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!";
const STS_ONLY = "AssumeRole policy may only specify STS AssumeRole actions.";
const SYNTAX = "Syntax errors in policy.";

/** A one-statement trust policy; `fields` replace or (with undefined) remove the defaults. */
function trust(fields: Record<string, unknown> = {}, top: Record<string, unknown> = {}): string {
  const statement: Record<string, unknown> = { Effect: "Allow", Principal: { AWS: userArn("alice") }, Action: "sts:AssumeRole", ...fields };
  for (const [k, v] of Object.entries(statement)) if (v === undefined) delete statement[k];
  return JSON.stringify({ Version: "2012-10-17", Statement: [statement], ...top });
}
const policyOf = (...statements: object[]): string => JSON.stringify({ Version: "2012-10-17", Statement: statements });

const messageOf = (text: string): string | undefined => {
  try {
    parseTrustPolicy(text);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyParseError);
    return (e as Error).message;
  }
};

describe("parseTrustPolicy: refusals, with AWS's texts (assume-role-spec §7.3)", () => {
  const rows: [string, string, string][] = [
    // 1. JSON
    ["not JSON", "not valid json", "This policy contains invalid Json"],
    ["truncated JSON", trust().slice(0, -2), "This policy contains invalid Json"],
    ["a key twice in one object", '{"Version":"2012-10-17","Version":"2012-10-17","Statement":[]}', "This policy contains invalid Json"],
    // 2. structure, shared with identity policies
    ["no Statement", JSON.stringify({ Version: "2012-10-17" }), SYNTAX],
    ["empty Statement list", JSON.stringify({ Version: "2012-10-17", Statement: [] }), SYNTAX],
    ["unknown top-level key", trust({}, { Foo: 1 }), SYNTAX],
    ["unknown statement key", trust({ Foo: "bar" }), SYNTAX],
    ["unknown Version", trust({}, { Version: "2013-10-17" }), SYNTAX],
    ["Effect not Allow/Deny", trust({ Effect: "Permit" }), SYNTAX],
    ["Principal a number", trust({ Principal: 5 }), SYNTAX],
    ["Principal value a number", trust({ Principal: { AWS: 5 } }), SYNTAX],
    ["Condition an array", trust({ Condition: [] }), SYNTAX],
    ["unknown condition operator", trust({ Condition: { StringEqualz: { "sts:ExternalId": "x" } } }), SYNTAX],
    // 3. Principal required
    ["statement without Principal", trust({ Principal: undefined }), NO_PRINCIPALS],
    ["Principal {}", trust({ Principal: {} }), NO_PRINCIPALS],
    ["Principal {AWS: []}", trust({ Principal: { AWS: [] } }), NO_PRINCIPALS],
    ["second statement without Principal", policyOf(JSON.parse(trust()).Statement[0], { Effect: "Allow", Action: "sts:AssumeRole" }), NO_PRINCIPALS],
    ["no Principal and a Resource: the Principal is reported", trust({ Principal: undefined, Resource: "*" }), NO_PRINCIPALS],
    // 4. legacy parsing, shared
    ["Effect in lower case", trust({ Effect: "allow" }), "The policy failed legacy parsing"],
    ["unreadable date", trust({ Condition: { DateGreaterThan: { "aws:CurrentTime": "sdfdsf" } } }), "The policy failed legacy parsing"],
    // 5. Sid, shared
    ["Sid twice", policyOf({ ...JSON.parse(trust()).Statement[0], Sid: "A" }, { ...JSON.parse(trust()).Statement[0], Sid: "A" }), "Statement IDs (SID) in a single policy must be unique."],
    // 6. prohibited fields
    ["Resource", trust({ Resource: "arn:aws:s3:::example_bucket" }), "Has prohibited field Resource"],
    ["Resource *", trust({ Resource: "*" }), "Has prohibited field Resource"],
    ["NotResource", trust({ NotResource: "*" }), "Has prohibited field NotResource"],
    ["Deny with NotPrincipal", trust({ Effect: "Deny", Principal: undefined, NotPrincipal: { AWS: userArn("alice") } }), "Has prohibited field NotPrincipal"],
    ["Allow with NotPrincipal", trust({ Principal: undefined, NotPrincipal: { AWS: userArn("alice") } }), "Has prohibited field NotPrincipal"],
    ["NotPrincipal beside Principal", trust({ NotPrincipal: { AWS: userArn("bob") } }), "Has prohibited field NotPrincipal"],
    ["Resource and a bad action: Resource first", trust({ Resource: "*", Action: "sts:InvalidAction" }), "Has prohibited field Resource"],
    // 7. actions
    ["no Action", trust({ Action: undefined }), "Policy statement must contain actions."],
    ["Action []", trust({ Action: [] }), "Policy statement must contain actions."],
    ["sts:InvalidAction (recorded)", trust({ Action: "sts:InvalidAction" }), STS_ONLY],
    ["another service's action", trust({ Action: "iam:PassRole" }), STS_ONLY],
    ["another STS action", trust({ Action: "sts:GetSessionToken" }), STS_ONLY],
    ["*", trust({ Action: "*" }), STS_ONLY],
    ["sts:*", trust({ Action: "sts:*" }), STS_ONLY],
    ["sts:Assume* (covers sts:AssumeRoot)", trust({ Action: "sts:Assume*" }), STS_ONLY],
    ["sts:Get*", trust({ Action: "sts:Get*" }), STS_ONLY],
    ["a wildcard covering no assume action", trust({ Action: "sts:Foo*" }), STS_ONLY],
    ["a wildcard vendor", trust({ Action: "*:AssumeRole" }), STS_ONLY],
    ["no vendor", trust({ Action: "AssumeRole" }), STS_ONLY],
    ["one bad action in a list", trust({ Action: ["sts:AssumeRole", "s3:GetObject"] }), STS_ONLY],
    ["NotAction", trust({ Action: undefined, NotAction: "sts:AssumeRole" }), STS_ONLY],
    // 8. principal values
    ['bare "*"', trust({ Principal: "*" }), 'AssumeRolepolicy contained an invalid principal: "STAR":"*".'],
    ["bare string other than *", trust({ Principal: userArn("alice") }), SYNTAX],
    ["account id of 11 digits", trust({ Principal: { AWS: "12345678901" } }), 'Invalid principal in policy: "AWS":"12345678901"'],
    ["a name, not an ARN", trust({ Principal: { AWS: "alice" } }), 'Invalid principal in policy: "AWS":"alice"'],
    ["group ARN", trust({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:group/devs` } }), `Invalid principal in policy: "AWS":"arn:aws:iam::${ACCOUNT}:group/devs"`],
    ["wildcard in a user ARN", trust({ Principal: { AWS: userArn("*") } }), `Invalid principal in policy: "AWS":"${userArn("*")}"`],
    ["wildcard in a role name", trust({ Principal: { AWS: roleArn("Dev*") } }), `Invalid principal in policy: "AWS":"${roleArn("Dev*")}"`],
    ["wildcard account in a root ARN", trust({ Principal: { AWS: "arn:aws:iam::*:root" } }), 'Invalid principal in policy: "AWS":"arn:aws:iam::*:root"'],
    ["wildcard session", trust({ Principal: { AWS: sessionArn("Dev", "*") } }), `Invalid principal in policy: "AWS":"${sessionArn("Dev", "*")}"`],
    ["? in an ARN", trust({ Principal: { AWS: userArn("al?ce") } }), `Invalid principal in policy: "AWS":"${userArn("al?ce")}"`],
    ["another partition", trust({ Principal: { AWS: `arn:aws-cn:iam::${ACCOUNT}:root` } }), `Invalid principal in policy: "AWS":"arn:aws-cn:iam::${ACCOUNT}:root"`],
    ["a user id", trust({ Principal: { AWS: "AIDAEXAMPLEEXAMPLE123" } }), 'Invalid principal in policy: "AWS":"AIDAEXAMPLEEXAMPLE123"'],
    ["second value of a list", trust({ Principal: { AWS: [ACCOUNT, "bogus"] } }), 'Invalid principal in policy: "AWS":"bogus"'],
    ["service without its domain", trust({ Principal: { Service: "lambda" } }), 'Invalid principal in policy: "SERVICE":"lambda"'],
    ["service of another partition", trust({ Principal: { Service: "eks.amazonaws.com.cn" } }), 'Invalid principal in policy: "SERVICE":"eks.amazonaws.com.cn"'],
    ["service *", trust({ Principal: { Service: "*" } }), 'Invalid principal in policy: "SERVICE":"*"'],
    ["federated, not a provider", trust({ Principal: { Federated: "not a provider" } }), 'Invalid principal in policy: "FEDERATED":"not a provider"'],
    ["canonical user, not 64 hex", trust({ Principal: { CanonicalUser: "xyz" } }), 'Invalid principal in policy: "CANONICALUSER":"xyz"'],
    ["unknown principal key", trust({ Principal: { Foo: "bar" } }), 'Invalid principal in policy: "FOO":"bar"'],
    ["a bad action and a bad principal: the action first", trust({ Action: "s3:GetObject", Principal: { AWS: "bogus" } }), STS_ONLY],
  ];
  for (const [name, text, expected] of rows) {
    it(`${name} → ${expected}`, () => expect(messageOf(text)).toBe(expected));
  }
});

describe("parseTrustPolicy: accepted documents", () => {
  const rows: [string, string][] = [
    ['{"AWS": "*"}', trust({ Principal: { AWS: "*" } })],
    ["account id", trust({ Principal: { AWS: ACCOUNT } })],
    ["account root ARN", trust({ Principal: { AWS: ROOT } })],
    ["user ARN", trust({ Principal: { AWS: userArn("alice") } })],
    ["user ARN with a path", trust({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/division_abc/subdivision_xyz/JaneDoe` } })],
    ["role ARN", trust({ Principal: { AWS: roleArn("Dev") } })],
    ["assumed-role session ARN", trust({ Principal: { AWS: sessionArn("Dev", "alice@example.com") } })],
    ["federated-user ARN", trust({ Principal: { AWS: `arn:aws:sts::${ACCOUNT}:federated-user/bob` } })],
    ["another account", trust({ Principal: { AWS: [OTHER_ACCOUNT, userArn("carol", OTHER_ACCOUNT)] } })],
    ["services", trust({ Principal: { Service: ["ec2.amazonaws.com", "logs.us-east-1.amazonaws.com", "alexa-appkit.amazon.com"] } })],
    ["SAML provider", trust({ Principal: { Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/ExampleOrg` }, Action: "sts:AssumeRoleWithSAML" })],
    ["OIDC provider", trust({ Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` }, Action: "sts:AssumeRoleWithWebIdentity" })],
    ["web identity host", trust({ Principal: { Federated: "cognito-identity.amazonaws.com" }, Action: "sts:AssumeRoleWithWebIdentity" })],
    ["canonical user", trust({ Principal: { CanonicalUser: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be" } })],
    ["several kinds at once", trust({ Principal: { AWS: ACCOUNT, Service: "ec2.amazonaws.com" } })],
    ["every assume action", trust({ Action: ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:TagSession", "sts:SetSourceIdentity", "sts:SetContext"] })],
    ["sts:AssumeRole*", trust({ Action: "sts:AssumeRole*" })],
    ["sts:*Session", trust({ Action: "sts:*Session" })],
    ["sts:Set*", trust({ Action: "sts:Set*" })],
    ["actions in another case", trust({ Action: "STS:assumerole" })],
    ["Deny with Principal", trust({ Effect: "Deny" })],
    ["Version 2008-10-17 (IAM's ListRoles example)", trust({ Sid: "" }, { Version: "2008-10-17" })],
    ["no Version", JSON.stringify({ Statement: JSON.parse(trust()).Statement })],
    ["Statement as one object", JSON.stringify({ Version: "2012-10-17", Statement: JSON.parse(trust()).Statement[0] })],
    ["conditions", trust({ Condition: { Bool: { "aws:MultiFactorAuthPresent": true }, StringEquals: { "sts:ExternalId": "ext-1" }, NumericLessThan: { "aws:MultiFactorAuthAge": 3600 } } })],
    ["Id", trust({}, { Id: "trust" })],
  ];
  for (const [name, text] of rows) {
    it(name, () => expect(messageOf(text)).toBeUndefined());
  }

  it("keeps the statement grammar: principals by kind, no Resource, positions", () => {
    const text = trust({ Sid: "Trust", Principal: { AWS: [ACCOUNT, userArn("alice")], Service: "ec2.amazonaws.com" }, Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } });
    const doc = parseTrustPolicy(text);
    expect(doc.version).toBe("2012-10-17");
    expect(doc.statements).toHaveLength(1);
    const s = doc.statements[0]!;
    expect(s).toMatchObject({ sid: "Trust", effect: "Allow", action: ["sts:AssumeRole"] });
    expect(s.principal).toEqual({ aws: [ACCOUNT, userArn("alice")], service: ["ec2.amazonaws.com"], federated: [], canonicalUser: [] });
    expect(s.resource).toBeUndefined();
    expect(s.notResource).toBeUndefined();
    expect(s.conditions).toEqual([{ operator: "Bool", key: "aws:MultiFactorAuthPresent", values: ["true"] }]);
    expect(s.start).toEqual({ line: 1, column: text.indexOf("{", 1) + 2 });
  });

  it("identity policies still refuse a Principal", () => {
    expect(() => parsePolicy(trust({ Resource: "*" }), { managed: false })).toThrow("Policy document should not specify a principal.");
  });
});

describe("trustPolicyPrincipals", () => {
  it("lists every principal by kind, once each, in document order", () => {
    const doc = parseTrustPolicy(
      policyOf(
        { Effect: "Allow", Principal: { AWS: [roleArn("Dev"), ACCOUNT], Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
        { Effect: "Deny", Principal: { AWS: [userArn("bob"), roleArn("Dev")] }, Action: "sts:AssumeRole" },
        { Effect: "Allow", Principal: { Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/Org`, AWS: "*" }, Action: "sts:AssumeRoleWithSAML" },
      ),
    );
    expect(trustPolicyPrincipals(doc)).toEqual({
      aws: [roleArn("Dev"), ACCOUNT, userArn("bob"), "*"],
      service: ["ec2.amazonaws.com"],
      federated: [`arn:aws:iam::${ACCOUNT}:saml-provider/Org`],
    });
  });

  it("is empty for an identity policy", () => {
    expect(trustPolicyPrincipals(parsePolicy(policyOf({ Effect: "Allow", Action: "s3:*", Resource: "*" }), { managed: false }))).toEqual({ aws: [], service: [], federated: [] });
  });
});

// ---- evaluation --------------------------------------------------------------------------------

const ALICE: TrustCaller = { accountId: ACCOUNT, arns: [userArn("alice")] };
const BOB: TrustCaller = { accountId: ACCOUNT, arns: [userArn("bob")] };
const DEV_SESSION: TrustCaller = { accountId: ACCOUNT, arns: [roleArn("Dev"), sessionArn("Dev", "s1")] };
const DEV_OTHER_SESSION: TrustCaller = { accountId: ACCOUNT, arns: [roleArn("Dev"), sessionArn("Dev", "s2")] };
const OPS_SESSION: TrustCaller = { accountId: ACCOUNT, arns: [roleArn("Ops"), sessionArn("Ops", "s1")] };
const ROOT_CALLER: TrustCaller = { accountId: ACCOUNT, arns: [ROOT] };
const CAROL: TrustCaller = { accountId: OTHER_ACCOUNT, arns: [userArn("carol", OTHER_ACCOUNT)] };

const ROLE = roleArn("Target");
const contextOf = (entries: Record<string, ContextValue> = {}): RequestContext => new Map(Object.entries(entries).map(([k, v]) => [k.toLowerCase(), v]));
const compiledTrust = (text: string) => compilePolicy(parseTrustPolicy(text));
const ask = (text: string, caller: TrustCaller, context: Record<string, ContextValue> = {}, action = "sts:AssumeRole", resource = ROLE) =>
  evaluateTrust(compiledTrust(text), caller, { action, resource, context: contextOf(context) });

describe("evaluateTrust: principal forms and what they grant (spec §4.1, §4.2)", () => {
  type Row = [name: string, principal: object, caller: TrustCaller, decision: Decision, grantedTo?: "self" | "caller" | "account"];
  const rows: Row[] = [
    ['{"AWS":"*"}: a user', { AWS: "*" }, ALICE, "allow", "caller"],
    ['{"AWS":"*"}: another account', { AWS: "*" }, CAROL, "allow", "caller"],
    ['{"AWS":"*"}: a role session', { AWS: "*" }, DEV_SESSION, "allow", "caller"],
    ["account id: a user of it", { AWS: ACCOUNT }, ALICE, "allow", "account"],
    ["account id: a role session of it", { AWS: ACCOUNT }, DEV_SESSION, "allow", "account"],
    ["account id: its root user", { AWS: ACCOUNT }, ROOT_CALLER, "allow", "account"],
    ["account id: another account", { AWS: ACCOUNT }, CAROL, "implicitDeny"],
    ["root ARN: a user of the account (not only root)", { AWS: ROOT }, ALICE, "allow", "account"],
    ["root ARN: another account", { AWS: ROOT }, CAROL, "implicitDeny"],
    ["other account id: its user", { AWS: OTHER_ACCOUNT }, CAROL, "allow", "account"],
    ["user ARN: that user", { AWS: userArn("alice") }, ALICE, "allow", "self"],
    ["user ARN: another user", { AWS: userArn("alice") }, BOB, "implicitDeny"],
    ["user ARN: same name in another account", { AWS: userArn("alice", OTHER_ACCOUNT) }, ALICE, "implicitDeny"],
    ["user ARN: names are case-sensitive", { AWS: userArn("Alice") }, ALICE, "implicitDeny"],
    ["cross-account user ARN: that user", { AWS: userArn("carol", OTHER_ACCOUNT) }, CAROL, "allow", "self"],
    ["role ARN: a session of it", { AWS: roleArn("Dev") }, DEV_SESSION, "allow", "caller"],
    ["role ARN: another session of it", { AWS: roleArn("Dev") }, DEV_OTHER_SESSION, "allow", "caller"],
    ["role ARN: a session of another role", { AWS: roleArn("Dev") }, OPS_SESSION, "implicitDeny"],
    ["role ARN: a user", { AWS: roleArn("Dev") }, ALICE, "implicitDeny"],
    ["session ARN: that session", { AWS: sessionArn("Dev", "s1") }, DEV_SESSION, "allow", "self"],
    ["session ARN: another session of the role", { AWS: sessionArn("Dev", "s1") }, DEV_OTHER_SESSION, "implicitDeny"],
    ["Service: never an IAM caller", { Service: "ec2.amazonaws.com" }, ALICE, "implicitDeny"],
    ["Federated: never an IAM caller", { Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/Org` }, ALICE, "implicitDeny"],
    ["CanonicalUser: never an IAM caller", { CanonicalUser: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be" }, ALICE, "implicitDeny"],
    ["account and user in one Principal: the user wins", { AWS: [ACCOUNT, userArn("alice")] }, ALICE, "allow", "self"],
    ["account and user in one Principal: another user gets the account", { AWS: [ACCOUNT, userArn("alice")] }, BOB, "allow", "account"],
    ["AWS and Service in one Principal", { AWS: userArn("alice"), Service: "ec2.amazonaws.com" }, ALICE, "allow", "self"],
  ];
  for (const [name, principal, caller, decision, grantedTo] of rows) {
    it(`${name} → ${decision}${grantedTo ? ` (${grantedTo})` : ""}`, () => {
      const result = ask(trust({ Principal: principal }), caller);
      expect(result.decision).toBe(decision);
      expect(result.grantedTo).toBe(grantedTo);
      expect(result.matched).toHaveLength(decision === "allow" ? 1 : 0);
    });
  }

  it("a statement naming the role and one naming the session itself: the session wins", () => {
    const text = policyOf(
      { Effect: "Allow", Principal: { AWS: roleArn("Dev") }, Action: "sts:AssumeRole" },
      { Effect: "Allow", Principal: { AWS: sessionArn("Dev", "s1") }, Action: "sts:AssumeRole" },
    );
    expect(ask(text, DEV_SESSION)).toMatchObject({ decision: "allow", grantedTo: "self" });
    expect(ask(text, DEV_OTHER_SESSION)).toMatchObject({ decision: "allow", grantedTo: "caller" });
  });

  it("an account statement and a statement naming the caller: the caller wins", () => {
    const text = policyOf(
      { Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "sts:AssumeRole" },
      { Effect: "Allow", Principal: { AWS: userArn("alice") }, Action: "sts:AssumeRole" },
    );
    const result = ask(text, ALICE);
    expect(result).toMatchObject({ decision: "allow", grantedTo: "self" });
    expect(result.matched.map((m) => m.statement.principal!.aws)).toEqual([[ACCOUNT], [userArn("alice")]]);
    expect(ask(text, BOB)).toMatchObject({ decision: "allow", grantedTo: "account" });
  });
});

describe("evaluateTrust: explicit deny wins", () => {
  const allowAll = { Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" };
  type Row = [name: string, deny: object, caller: TrustCaller, decision: Decision];
  const rows: Row[] = [
    ["Deny naming the user", { Principal: { AWS: userArn("alice") } }, ALICE, "explicitDeny"],
    ["Deny naming the user: another user is still allowed", { Principal: { AWS: userArn("alice") } }, BOB, "allow"],
    ["Deny naming the account", { Principal: { AWS: ACCOUNT } }, ALICE, "explicitDeny"],
    ["Deny naming the account: another account allowed", { Principal: { AWS: ACCOUNT } }, CAROL, "allow"],
    ["Deny naming the role: its sessions", { Principal: { AWS: roleArn("Dev") } }, DEV_SESSION, "explicitDeny"],
    ["Deny naming one session: another session allowed", { Principal: { AWS: sessionArn("Dev", "s1") } }, DEV_OTHER_SESSION, "allow"],
    ["Deny on another action", { Principal: { AWS: "*" }, Action: "sts:TagSession" }, ALICE, "allow"],
    ["Deny with a condition that holds", { Principal: { AWS: "*" }, Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } }, ALICE, "explicitDeny"],
  ];
  for (const [name, deny, caller, decision] of rows) {
    it(`${name} → ${decision}`, () => {
      const result = ask(policyOf(allowAll, { Effect: "Deny", Action: "sts:AssumeRole", ...deny }), caller);
      expect(result.decision).toBe(decision);
      if (decision === "explicitDeny") {
        // As in the simulator, on explicit deny only the Deny statements are reported.
        expect(result.matched.map((m) => m.statement.effect)).toEqual(["Deny"]);
        expect(result.grantedTo).toBeUndefined();
      }
    });
  }
});

describe("evaluateTrust: conditions work as in identity policies, on the context the caller supplies", () => {
  const mfaTrust = trust({ Principal: { AWS: ACCOUNT }, Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } });
  type Row = [name: string, text: string, context: Record<string, ContextValue>, decision: Decision];
  const rows: Row[] = [
    ["MFA required: long-term keys (key absent)", mfaTrust, {}, "implicitDeny"],
    ["MFA required: session without MFA (false)", mfaTrust, { "aws:MultiFactorAuthPresent": "false" }, "implicitDeny"],
    ["MFA required: MFA session (true)", mfaTrust, { "aws:MultiFactorAuthPresent": "true" }, "allow"],
    ["MFA required, JSON true in the policy", trust({ Condition: { Bool: { "aws:MultiFactorAuthPresent": true } } }), { "aws:MultiFactorAuthPresent": "true" }, "allow"],
    ["BoolIfExists true: long-term keys pass", trust({ Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } } }), {}, "allow"],
    ["BoolIfExists true: session without MFA fails", trust({ Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } } }), { "aws:MultiFactorAuthPresent": "false" }, "implicitDeny"],
    ["MFA age < 3600: fresh", trust({ Condition: { NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } } }), { "aws:MultiFactorAuthAge": "120" }, "allow"],
    ["MFA age < 3600: old", trust({ Condition: { NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } } }), { "aws:MultiFactorAuthAge": "4000" }, "implicitDeny"],
    ["MFA age < 3600: no MFA", trust({ Condition: { NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } } }), {}, "implicitDeny"],
    ["ExternalId: matching", trust({ Condition: { StringEquals: { "sts:ExternalId": "Unique ID Assigned by Example Corp" } } }), { "sts:ExternalId": "Unique ID Assigned by Example Corp" }, "allow"],
    ["ExternalId: other", trust({ Condition: { StringEquals: { "sts:ExternalId": "ext-1" } } }), { "sts:ExternalId": "ext-2" }, "implicitDeny"],
    ["ExternalId: not sent", trust({ Condition: { StringEquals: { "sts:ExternalId": "ext-1" } } }), {}, "implicitDeny"],
    ["ExternalId key in another case", trust({ Condition: { StringEquals: { "STS:externalid": "ext-1" } } }), { "sts:ExternalId": "ext-1" }, "allow"],
    ["session name = ${aws:username}", trust({ Condition: { StringLike: { "sts:RoleSessionName": "${aws:username}" } } }), { "aws:username": "alice", "sts:RoleSessionName": "alice" }, "allow"],
    ["session name ≠ ${aws:username}", trust({ Condition: { StringLike: { "sts:RoleSessionName": "${aws:username}" } } }), { "aws:username": "alice", "sts:RoleSessionName": "bob" }, "implicitDeny"],
    ["source identity", trust({ Condition: { StringEquals: { "sts:SourceIdentity": "alice" } } }), { "sts:SourceIdentity": "alice" }, "allow"],
    ["MFA and ExternalId: both hold", trust({ Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" }, StringEquals: { "sts:ExternalId": "x1" } } }), { "aws:MultiFactorAuthPresent": "true", "sts:ExternalId": "x1" }, "allow"],
    ["MFA and ExternalId: one fails", trust({ Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" }, StringEquals: { "sts:ExternalId": "x1" } } }), { "aws:MultiFactorAuthPresent": "true" }, "implicitDeny"],
    ["tag keys, ForAllValues", trust({ Action: ["sts:AssumeRole", "sts:TagSession"], Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["Project", "Team"] } } }), { "aws:TagKeys": ["Project"] }, "allow"],
    ["tag keys, ForAllValues, another key", trust({ Action: ["sts:AssumeRole", "sts:TagSession"], Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["Project", "Team"] } } }), { "aws:TagKeys": ["Cost"] }, "implicitDeny"],
  ];
  for (const [name, text, context, decision] of rows) {
    it(`${name} → ${decision}`, () => expect(ask(text, ALICE, context).decision).toBe(decision));
  }

  it("reports the condition keys the request lacked", () => {
    expect(ask(mfaTrust, ALICE).missingContextKeys).toEqual(["aws:MultiFactorAuthPresent"]);
    expect(ask(mfaTrust, ALICE, { "aws:MultiFactorAuthPresent": "true" }).missingContextKeys).toEqual([]);
  });

  it("a statement that does not name the caller does not report its keys", () => {
    expect(ask(trust({ Principal: { AWS: userArn("bob") }, Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }), ALICE).missingContextKeys).toEqual([]);
  });
});

describe("evaluateTrust: actions and resources", () => {
  it("only the actions the statement names", () => {
    const text = trust({ Principal: { AWS: "*" } });
    expect(ask(text, ALICE, {}, "sts:AssumeRole").decision).toBe("allow");
    expect(ask(text, ALICE, {}, "STS:ASSUMEROLE").decision).toBe("allow");
    expect(ask(text, ALICE, {}, "sts:TagSession").decision).toBe("implicitDeny");
    expect(ask(text, ALICE, {}, "sts:AssumeRoleWithSAML").decision).toBe("implicitDeny");
  });

  it("wildcard actions", () => {
    const text = trust({ Principal: { AWS: "*" }, Action: "sts:AssumeRole*" });
    expect(ask(text, ALICE, {}, "sts:AssumeRoleWithSAML").decision).toBe("allow");
    expect(ask(text, ALICE, {}, "sts:TagSession").decision).toBe("implicitDeny");
  });

  it("the resource does not matter: the statements have none", () => {
    const text = trust({ Principal: { AWS: userArn("alice") } });
    for (const resource of [ROLE, roleArn("Else"), "*", "not an arn"]) expect(ask(text, ALICE, {}, "sts:AssumeRole", resource).decision).toBe("allow");
  });
});

describe("one evaluator: statements with and without Principal keep apart", () => {
  it("an identity policy never allows through evaluateTrust (no statement names the caller)", () => {
    const identity = compilePolicy(parsePolicy(policyOf({ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }), { managed: false }));
    expect(evaluateTrust(identity, ALICE, { action: "sts:AssumeRole", resource: ROLE, context: contextOf() }).decision).toBe("implicitDeny");
  });

  it("a trust policy never allows through evaluate without a caller", () => {
    const policy = compiledTrust(trust({ Principal: { AWS: "*" } }));
    expect(evaluate([{ id: "trust", type: "resource", policy }], { action: "sts:AssumeRole", resource: ROLE, context: contextOf() }).decision).toBe("implicitDeny");
  });

  it("identity policies evaluate as before", () => {
    const identity = compilePolicy(parsePolicy(policyOf({ Effect: "Allow", Action: "sts:AssumeRole", Resource: roleArn("T*") }), { managed: false }));
    const request = { action: "sts:AssumeRole", context: contextOf() };
    expect(evaluate([{ id: "p", type: "IAM Policy", policy: identity }], { ...request, resource: ROLE }).decision).toBe("allow");
    expect(evaluate([{ id: "p", type: "IAM Policy", policy: identity }], { ...request, resource: roleArn("Other") }).decision).toBe("implicitDeny");
  });
});
