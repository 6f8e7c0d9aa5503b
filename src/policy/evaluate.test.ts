import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compilePolicy } from "./compile.js";
import { contextKeysOf } from "./context-keys.js";
import { evaluate, type PolicyInput } from "./evaluate.js";
import { parsePolicy } from "./parse.js";
import type { ContextValue, Decision, PolicyDocument, RequestContext } from "./types.js";

const ACCOUNT = "123456789012";
const userArn = (name: string): string => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const mfaArn = (name: string): string => `arn:aws:iam::${ACCOUNT}:mfa/${name}`;

const sample = (file: string): string => readFileSync(new URL(`./testdata/aws-docs-policies/${file}`, import.meta.url), "utf8");
const input = (text: string, id = "policy", managed = true): PolicyInput => ({ id, type: "IAM Policy", policy: compilePolicy(parsePolicy(text, { managed })) });
const fromStatements = (statements: object[], id = "policy"): PolicyInput => input(JSON.stringify({ Version: "2012-10-17", Statement: statements }), id);

type Caller = "longTerm" | "sessionWithoutMfa" | "mfaSession";

/** The request context of an IAM user as spec §2.4 builds it. */
function contextOf(caller: Caller, user = "alice", extra: Record<string, ContextValue> = {}): RequestContext {
  const context = new Map<string, ContextValue>([
    ["aws:currenttime", "2026-12-03T08:00:00Z"],
    ["aws:epochtime", "1796284800"],
    ["aws:securetransport", "true"],
    ["aws:sourceip", "203.0.113.10"],
    ["aws:useragent", "aws-cli/2.0"],
    ["aws:username", user],
    ["aws:userid", "AIDAEXAMPLEEXAMPLE1"],
    ["aws:principalarn", userArn(user)],
    ["aws:principalaccount", ACCOUNT],
    ["aws:principaltype", "User"],
    ["aws:requestedregion", "us-east-1"],
    ["aws:viaawsservice", "false"],
    ["aws:principalisawsservice", "false"],
  ]);
  // Long-term keys carry no MFA key at all; temporary credentials say "false" or "true".
  if (caller !== "longTerm") {
    context.set("aws:multifactorauthpresent", String(caller === "mfaSession"));
    context.set("aws:tokenissuetime", "2026-12-03T07:00:00Z");
  }
  if (caller === "mfaSession") context.set("aws:multifactorauthage", "3600");
  for (const [k, v] of Object.entries(extra)) context.set(k.toLowerCase(), v);
  return context;
}

const decide = (policies: PolicyInput[], action: string, resource: string, context: RequestContext): Decision =>
  evaluate(policies, { action, resource, context }).decision;

describe("AWS sample: MFA-authenticated users manage their own credentials (spec §5.1, §5.2, §8)", () => {
  const policy = [input(sample("my-sec-creds-self-manage.651083f.json"), "Force_MFA")];
  type Row = [caller: Caller, action: string, resource: string, expected: Decision];
  const rows: Row[] = [
    // Long-term key: the MFA key is absent, so BoolIfExists is true and the Deny is active.
    ["longTerm", "iam:ListUsers", "*", "explicitDeny"],
    ["longTerm", "s3:ListAllMyBuckets", "*", "explicitDeny"],
    ["longTerm", "iam:ChangePassword", userArn("alice"), "explicitDeny"],
    ["longTerm", "iam:CreateAccessKey", userArn("alice"), "explicitDeny"],
    ["longTerm", "iam:GetUser", userArn("alice"), "allow"],
    ["longTerm", "iam:ListMFADevices", userArn("alice"), "allow"],
    ["longTerm", "iam:CreateVirtualMFADevice", mfaArn("alice-phone"), "allow"],
    ["longTerm", "iam:EnableMFADevice", userArn("alice"), "allow"],
    ["longTerm", "iam:ResyncMFADevice", userArn("alice"), "allow"],
    ["longTerm", "iam:ListVirtualMFADevices", "*", "allow"],
    // Not denied, but not allowed either: GetSessionToken needs no permission (the caller's business).
    ["longTerm", "sts:GetSessionToken", "*", "implicitDeny"],
    ["longTerm", "iam:EnableMFADevice", userArn("bob"), "implicitDeny"],
    ["longTerm", "iam:GetUser", userArn("bob"), "implicitDeny"],
    ["longTerm", "iam:DeactivateMFADevice", userArn("alice"), "explicitDeny"],
    ["longTerm", "iam:DeleteVirtualMFADevice", mfaArn("alice-phone"), "explicitDeny"],
    // Action names are case-insensitive; resources are not.
    ["longTerm", "IAM:getuser", userArn("alice"), "allow"],
    ["longTerm", "iam:GetUser", userArn("Alice"), "implicitDeny"],
    // Temporary credentials without MFA: the key is "false", the Deny is active.
    ["sessionWithoutMfa", "s3:ListAllMyBuckets", "*", "explicitDeny"],
    ["sessionWithoutMfa", "iam:DeactivateMFADevice", userArn("alice"), "explicitDeny"],
    ["sessionWithoutMfa", "iam:GetUser", userArn("alice"), "allow"],
    // MFA session: the Deny is inactive; only what the Allows grant.
    ["mfaSession", "iam:ChangePassword", userArn("alice"), "allow"],
    ["mfaSession", "iam:CreateAccessKey", userArn("alice"), "allow"],
    ["mfaSession", "iam:DeactivateMFADevice", userArn("alice"), "allow"],
    ["mfaSession", "iam:DeactivateMFADevice", userArn("bob"), "implicitDeny"],
    ["mfaSession", "iam:DeleteVirtualMFADevice", mfaArn("alice-phone"), "implicitDeny"],
    ["mfaSession", "iam:ListUsers", "*", "implicitDeny"],
    ["mfaSession", "s3:ListAllMyBuckets", "*", "implicitDeny"],
  ];
  it.each(rows)("%s %s on %s → %s", (caller, action, resource, expected) => {
    expect(decide(policy, action, resource, contextOf(caller))).toBe(expected);
  });

  it("reports the deciding statements: on explicit deny only the Deny", () => {
    const denied = evaluate(policy, { action: "iam:DeactivateMFADevice", resource: userArn("alice"), context: contextOf("longTerm") });
    expect(denied.matched.map((m) => [m.policyId, m.policyType, m.statement.sid])).toEqual([["Force_MFA", "IAM Policy", "DenyAllExceptListedIfNoMFA"]]);
    expect(denied.matched[0]!.policy).toBe(policy[0]);

    const allowed = evaluate(policy, { action: "iam:DeactivateMFADevice", resource: userArn("alice"), context: contextOf("mfaSession") });
    expect(allowed.matched.map((m) => m.statement.sid)).toEqual(["AllowManageOwnUserMFA"]);

    const implicit = evaluate(policy, { action: "iam:GetUser", resource: userArn("bob"), context: contextOf("longTerm") });
    expect(implicit.matched).toEqual([]);
  });

  it("reports missing context keys of the statements that match action and resource", () => {
    const listUsers = evaluate(policy, { action: "iam:ListUsers", resource: "*", context: contextOf("longTerm") });
    expect(listUsers.missingContextKeys).toEqual(["aws:MultiFactorAuthPresent"]);
    const getUser = evaluate(policy, { action: "iam:GetUser", resource: userArn("alice"), context: contextOf("longTerm") });
    expect(getUser.missingContextKeys).toEqual([]);
    expect(evaluate(policy, { action: "iam:ListUsers", resource: "*", context: contextOf("mfaSession") }).missingContextKeys).toEqual([]);
    // No aws:username (e.g. a simulation without context): the Resource variable is missing.
    const bare = evaluate(policy, { action: "iam:GetUser", resource: userArn("alice"), context: new Map() });
    expect(bare.decision).toBe("implicitDeny");
    expect(bare.missingContextKeys).toEqual(["aws:username"]);
    const change = evaluate(policy, { action: "iam:ChangePassword", resource: userArn("alice"), context: new Map() });
    expect(change.decision).toBe("explicitDeny");
    expect(change.missingContextKeys).toEqual(["aws:MultiFactorAuthPresent", "aws:username"]);
  });

  it("lists its context keys", () => {
    expect(contextKeysOf(policy[0]!.policy.document)).toEqual(["aws:MultiFactorAuthPresent", "aws:username"]);
  });
});

describe("AWS sample before 2022-11: virtual devices named after the user (spec §5.1)", () => {
  const policy = [input(sample("my-sec-creds-self-manage.75ddaeb-2022-09.json"))];
  it.each([
    ["longTerm", "iam:CreateVirtualMFADevice", mfaArn("alice"), "allow"],
    ["longTerm", "iam:CreateVirtualMFADevice", mfaArn("alice-phone"), "implicitDeny"],
    ["longTerm", "iam:DeleteVirtualMFADevice", mfaArn("alice"), "explicitDeny"],
    ["mfaSession", "iam:DeleteVirtualMFADevice", mfaArn("alice"), "allow"],
    ["mfaSession", "iam:DeleteVirtualMFADevice", mfaArn("bob"), "implicitDeny"],
  ] as [Caller, string, string, Decision][])("%s %s on %s → %s", (caller, action, resource, expected) => {
    expect(decide(policy, action, resource, contextOf(caller))).toBe(expected);
  });
});

describe("other AWS MFA samples (spec §5.3)", () => {
  it("iam-mfa-selfmanage: deactivating one's own MFA needs MFA (Bool true)", () => {
    const policy = [input(sample("iam-mfa-selfmanage.651083f.json"))];
    expect(decide(policy, "iam:ListUsers", "*", contextOf("longTerm"))).toBe("allow");
    expect(decide(policy, "iam:DeactivateMFADevice", userArn("alice"), contextOf("longTerm"))).toBe("explicitDeny");
    expect(decide(policy, "iam:DeactivateMFADevice", userArn("alice"), contextOf("mfaSession"))).toBe("allow");
    expect(decide(policy, "iam:GetUser", userArn("alice"), contextOf("longTerm"))).toBe("explicitDeny");
  });

  it("my-sec-creds-self-manage-mfa-only", () => {
    const policy = [input(sample("my-sec-creds-self-manage-mfa-only.651083f.json"))];
    expect(decide(policy, "iam:GetUser", userArn("alice"), contextOf("longTerm"))).toBe("allow");
    expect(decide(policy, "iam:DeactivateMFADevice", userArn("alice"), contextOf("longTerm"))).toBe("explicitDeny");
    expect(decide(policy, "iam:DeactivateMFADevice", userArn("alice"), contextOf("mfaSession"))).toBe("allow");
  });

  it("ec2-require-mfa: an unquoted JSON false works like \"false\"", () => {
    const policy = [input(sample("ec2-require-mfa.651083f.json"))];
    const instance = "arn:aws:ec2:us-east-1:123456789012:instance/i-1";
    expect(decide(policy, "ec2:StopInstances", instance, contextOf("longTerm"))).toBe("explicitDeny");
    expect(decide(policy, "ec2:StopInstances", instance, contextOf("sessionWithoutMfa"))).toBe("explicitDeny");
    expect(decide(policy, "ec2:StopInstances", instance, contextOf("mfaSession"))).toBe("allow");
    expect(decide(policy, "ec2:DescribeInstances", "*", contextOf("longTerm"))).toBe("allow");
  });

  it("mfa-dates: MFA and a date window, all ANDed", () => {
    const policy = [input(sample("mfa-dates.651083f.json"))];
    const inWindow = { "aws:CurrentTime": "2017-08-01T00:00:00Z" };
    expect(decide(policy, "service-prefix-1:Anything", "*", contextOf("mfaSession", "alice", inWindow))).toBe("allow");
    expect(decide(policy, "service-prefix-2:action-name-b", "*", contextOf("mfaSession", "alice", inWindow))).toBe("allow");
    expect(decide(policy, "service-prefix-2:action-name-c", "*", contextOf("mfaSession", "alice", inWindow))).toBe("implicitDeny");
    expect(decide(policy, "service-prefix-1:Anything", "*", contextOf("mfaSession"))).toBe("implicitDeny");
    expect(decide(policy, "service-prefix-1:Anything", "*", contextOf("longTerm", "alice", inWindow))).toBe("implicitDeny");
  });

  it("notaction-deny-all-users-not-using-mfa: everything but IAM is denied without MFA", () => {
    const policy = [input(sample("notaction-deny-all-users-not-using-mfa.651083f.json")), fromStatements([{ Effect: "Allow", Action: "*", Resource: "*" }], "admin")];
    expect(decide(policy, "s3:ListAllMyBuckets", "*", contextOf("longTerm"))).toBe("explicitDeny");
    expect(decide(policy, "iam:ListUsers", "*", contextOf("longTerm"))).toBe("allow");
    expect(decide(policy, "s3:ListAllMyBuckets", "*", contextOf("mfaSession"))).toBe("allow");
  });
});

describe("recommended and discouraged MFA tests (spec §4)", () => {
  const everything = { Effect: "Allow", Action: "*", Resource: "*" };
  const with_ = (statement: object) => [fromStatements([statement, everything].filter((s) => s !== undefined))];
  const only = (statement: object) => [fromStatements([statement])];
  type Row = [name: string, policy: PolicyInput[], caller: Caller, expected: Decision];
  const rows: Row[] = [
    ["Deny BoolIfExists false (recommended)", with_({ Effect: "Deny", Action: "*", Resource: "*", Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } }), "longTerm", "explicitDeny"],
    ["Deny BoolIfExists false (recommended)", with_({ Effect: "Deny", Action: "*", Resource: "*", Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } }), "sessionWithoutMfa", "explicitDeny"],
    ["Deny BoolIfExists false (recommended)", with_({ Effect: "Deny", Action: "*", Resource: "*", Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } }), "mfaSession", "allow"],
    // Not reliable: the key is absent for long-term keys, so Bool is false and nothing is denied.
    ["Deny Bool false (not reliable)", with_({ Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } } }), "longTerm", "allow"],
    ["Deny Bool false (not reliable)", with_({ Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } } }), "sessionWithoutMfa", "explicitDeny"],
    ["Deny Bool false (not reliable)", with_({ Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } } }), "mfaSession", "allow"],
    ["Allow BoolIfExists true", only({ Effect: "Allow", Action: "*", Resource: "*", Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } } }), "longTerm", "allow"],
    ["Allow BoolIfExists true", only({ Effect: "Allow", Action: "*", Resource: "*", Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } } }), "mfaSession", "allow"],
    ["Allow BoolIfExists true", only({ Effect: "Allow", Action: "*", Resource: "*", Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } } }), "sessionWithoutMfa", "implicitDeny"],
    ["Allow Bool true", only({ Effect: "Allow", Action: "*", Resource: "*", Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }), "longTerm", "implicitDeny"],
    ["Allow Bool true", only({ Effect: "Allow", Action: "*", Resource: "*", Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }), "sessionWithoutMfa", "implicitDeny"],
    ["Allow Bool true", only({ Effect: "Allow", Action: "*", Resource: "*", Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }), "mfaSession", "allow"],
    ["Allow Null false (temporary credentials only)", only({ Effect: "Allow", Action: "*", Resource: "*", Condition: { Null: { "aws:MultiFactorAuthPresent": "false" } } }), "longTerm", "implicitDeny"],
    ["Allow Null false (temporary credentials only)", only({ Effect: "Allow", Action: "*", Resource: "*", Condition: { Null: { "aws:MultiFactorAuthPresent": "false" } } }), "sessionWithoutMfa", "allow"],
    ["Allow Null false (temporary credentials only)", only({ Effect: "Allow", Action: "*", Resource: "*", Condition: { Null: { "aws:MultiFactorAuthPresent": "false" } } }), "mfaSession", "allow"],
    // Knowledge-center variant: two keys ANDed with plain Bool; does not stop long-term keys.
    ["Deny Bool {MFA false, ViaAWSService false}", with_({ Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:MultiFactorAuthPresent": "false", "aws:ViaAWSService": "false" } } }), "longTerm", "allow"],
    ["Deny Bool {MFA false, ViaAWSService false}", with_({ Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:MultiFactorAuthPresent": "false", "aws:ViaAWSService": "false" } } }), "sessionWithoutMfa", "explicitDeny"],
    // Age limits.
    ["Allow NumericLessThanEquals MultiFactorAuthAge 3600", only({ Effect: "Allow", Action: "iam:DeactivateMFADevice", Resource: "*", Condition: { NumericLessThanEquals: { "aws:MultiFactorAuthAge": "3600" } } }), "mfaSession", "allow"],
    ["Allow NumericLessThanEquals MultiFactorAuthAge 3600", only({ Effect: "Allow", Action: "iam:DeactivateMFADevice", Resource: "*", Condition: { NumericLessThanEquals: { "aws:MultiFactorAuthAge": "3600" } } }), "longTerm", "implicitDeny"],
    ["Deny NumericGreaterThanIfExists MultiFactorAuthAge 1800", with_({ Effect: "Deny", Action: "*", Resource: "*", Condition: { NumericGreaterThanIfExists: { "aws:MultiFactorAuthAge": "1800" } } }), "mfaSession", "explicitDeny"],
  ];
  it.each(rows)("%s, %s → %s", (_name, policy, caller, expected) => {
    expect(decide(policy, "iam:DeactivateMFADevice", userArn("alice"), contextOf(caller))).toBe(expected);
  });
});

describe("NotAction and NotResource", () => {
  it("Allow + NotAction grants everything else, scoped by Resource", () => {
    const p = [fromStatements([{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }])];
    expect(decide(p, "s3:GetObject", "arn:aws:s3:::b/k", new Map())).toBe("allow");
    expect(decide(p, "iam:GetUser", userArn("alice"), new Map())).toBe("implicitDeny");
    const scoped = [fromStatements([{ Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::b/*" }])];
    expect(decide(scoped, "s3:GetObject", "arn:aws:s3:::b/k", new Map())).toBe("allow");
    expect(decide(scoped, "s3:GetObject", "arn:aws:s3:::c/k", new Map())).toBe("implicitDeny");
  });

  it("Deny + NotAction denies everything else", () => {
    const p = [fromStatements([{ Effect: "Deny", NotAction: ["iam:Get*", "iam:List*"], Resource: "*" }, { Effect: "Allow", Action: "*", Resource: "*" }])];
    expect(decide(p, "iam:GetUser", userArn("a"), new Map())).toBe("allow");
    expect(decide(p, "iam:DeleteUser", userArn("a"), new Map())).toBe("explicitDeny");
    expect(decide(p, "s3:GetObject", "arn:aws:s3:::b/k", new Map())).toBe("explicitDeny");
  });

  it("Allow + NotResource grants every other resource", () => {
    const p = [fromStatements([{ Effect: "Allow", Action: "s3:*", NotResource: "arn:aws:s3:::secret/*" }])];
    expect(decide(p, "s3:GetObject", "arn:aws:s3:::public/x", new Map())).toBe("allow");
    expect(decide(p, "s3:GetObject", "arn:aws:s3:::secret/x", new Map())).toBe("implicitDeny");
    expect(decide(p, "s3:ListAllMyBuckets", "*", new Map())).toBe("allow");
  });

  it("Deny + NotResource (valid-23) denies every other resource", () => {
    const p = [
      fromStatements([
        { Effect: "Deny", Action: "s3:*", NotResource: ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"] },
        { Effect: "Allow", Action: "s3:*", Resource: "*" },
      ]),
    ];
    expect(decide(p, "s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/jan", new Map())).toBe("allow");
    expect(decide(p, "s3:GetObject", "arn:aws:s3:::HRBucket/Other", new Map())).toBe("explicitDeny");
    expect(decide(p, "iam:GetUser", userArn("a"), new Map())).toBe("implicitDeny");
  });

  it("NotAction with NotResource (valid-28)", () => {
    const p = [fromStatements([{ Effect: "Allow", NotAction: "s3:ListBucket", NotResource: "arn:aws:s3:::x" }])];
    expect(decide(p, "s3:GetObject", "arn:aws:s3:::y", new Map())).toBe("allow");
    expect(decide(p, "s3:GetObject", "arn:aws:s3:::x", new Map())).toBe("implicitDeny");
    expect(decide(p, "s3:ListBucket", "arn:aws:s3:::y", new Map())).toBe("implicitDeny");
  });

  it("a NotResource entry whose variable has no value matches nothing, so the statement applies", () => {
    const p = [fromStatements([{ Effect: "Deny", Action: "s3:*", NotResource: "arn:aws:s3:::home/${aws:username}/*" }, { Effect: "Allow", Action: "s3:*", Resource: "*" }])];
    expect(decide(p, "s3:GetObject", "arn:aws:s3:::home/alice/x", contextOf("mfaSession"))).toBe("allow");
    expect(decide(p, "s3:GetObject", "arn:aws:s3:::home/bob/x", contextOf("mfaSession"))).toBe("explicitDeny");
    const r = evaluate(p, { action: "s3:GetObject", resource: "arn:aws:s3:::home/alice/x", context: new Map() });
    expect(r.decision).toBe("explicitDeny");
    expect(r.missingContextKeys).toEqual(["aws:username"]);
  });
});

describe("several policies", () => {
  it("a Deny anywhere wins; matched lists every applicable Deny in order, with its policy", () => {
    const a = fromStatements([{ Sid: "A1", Effect: "Allow", Action: "s3:*", Resource: "*" }, { Sid: "A2", Effect: "Deny", Action: "s3:Delete*", Resource: "*" }], "a");
    const b = fromStatements([{ Sid: "B1", Effect: "Deny", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/*" }], "b");
    const r = evaluate([a, b], { action: "s3:DeleteObject", resource: "arn:aws:s3:::b/k", context: new Map() });
    expect(r.decision).toBe("explicitDeny");
    expect(r.matched.map((m) => [m.policyId, m.statement.sid])).toEqual([["a", "A2"], ["b", "B1"]]);
    const allowed = evaluate([a, b], { action: "s3:GetObject", resource: "arn:aws:s3:::b/k", context: new Map() });
    expect(allowed.matched.map((m) => [m.policyId, m.statement.sid])).toEqual([["a", "A1"]]);
  });

  it("no policies: implicit deny", () => {
    expect(evaluate([], { action: "iam:GetUser", resource: "*", context: new Map() })).toEqual({ decision: "implicitDeny", matched: [], missingContextKeys: [] });
  });

  it("a statement listed under several indexes is reported once", () => {
    const p = fromStatements([{ Effect: "Allow", Action: ["iam:GetUser", "iam:Get*", "*:GetUser"], Resource: "*" }]);
    expect(evaluate([p], { action: "iam:GetUser", resource: "*", context: new Map() }).matched).toHaveLength(1);
  });
});

describe("versions", () => {
  it("under 2008-10-17 (inline) variables are literal text", () => {
    const text = JSON.stringify({ Version: "2008-10-17", Statement: { Effect: "Allow", Action: "iam:GetUser", Resource: "arn:aws:iam::*:user/${aws:username}" } });
    const p = [input(text, "old", false)];
    expect(decide(p, "iam:GetUser", userArn("alice"), contextOf("longTerm"))).toBe("implicitDeny");
    expect(decide(p, "iam:GetUser", userArn("${aws:username}"), contextOf("longTerm"))).toBe("allow");
    expect(contextKeysOf(p[0]!.policy.document)).toEqual([]);
  });
});

describe("hand-built documents", () => {
  it("an unknown operator makes its statement inapplicable", () => {
    const doc: PolicyDocument = {
      version: "2012-10-17",
      statements: [
        { sid: undefined, effect: "Allow", action: ["*"], resource: ["*"], conditions: [{ operator: "StringEqualz", key: "k", values: ["v"] }], start: { line: 1, column: 1 }, end: { line: 1, column: 1 } },
      ],
    };
    expect(decide([{ id: "x", type: "t", policy: compilePolicy(doc) }], "a:b", "*", new Map([["k", "v"]]))).toBe("implicitDeny");
  });
});

describe("contextKeysOf", () => {
  it("lists condition keys and variables, once each (case-insensitively), sorted", () => {
    const doc = parsePolicy(
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b/${aws:userid}/*", Condition: { StringLike: { "s3:prefix": "home/${aws:username}/*" }, Bool: { "aws:SecureTransport": "${aws:x}" } } },
          { Effect: "Deny", Action: "*", Resource: "*", Condition: { IpAddress: { "AWS:SourceIp": "10.0.0.0/8" }, NumericEquals: { "aws:sourceip": "1" } } },
        ],
      }),
      { managed: true },
    );
    expect(contextKeysOf(doc)).toEqual(["AWS:SourceIp", "aws:SecureTransport", "aws:userid", "aws:username", "s3:prefix"]);
  });
});

describe("speed (the hot path)", () => {
  it("200 statements whose actions do not match cost a few microseconds", () => {
    const statements = Array.from({ length: 200 }, (_, i) => ({
      Effect: i % 2 ? "Allow" : "Deny",
      Action: i % 3 ? [`s3:GetObject${i}`, `s3:PutObject${i}`] : [`ec2:Describe${i}*`],
      Resource: `arn:aws:s3:::bucket-${i}/*`,
      Condition: { StringEquals: { "aws:username": `user${i}` } },
    }));
    const p = [fromStatements(statements)];
    const request = { action: "iam:GetUser", resource: userArn("alice"), context: contextOf("mfaSession") };
    for (let i = 0; i < 2000; i++) evaluate(p, request);
    const n = 20_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) evaluate(p, request);
    const microseconds = ((performance.now() - t0) * 1000) / n;
    expect(evaluate(p, request).decision).toBe("implicitDeny");
    // Generous, so a loaded machine does not fail it; typically well under 1 µs.
    expect(microseconds).toBeLessThan(20);
  });
});
