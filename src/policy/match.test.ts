import { describe, expect, it } from "vitest";
import { compilePolicy } from "./compile.js";
import { evaluate } from "./evaluate.js";
import { compileActions, compilePatterns } from "./match.js";
import { parsePolicy } from "./parse.js";
import { parseResourceTemplate, parseTemplate } from "./variables.js";
import type { RequestContext } from "./types.js";

const NO_CONTEXT: RequestContext = new Map();
const actions = (...patterns: string[]) => compileActions(patterns);
const resources = (patterns: string[], context: RequestContext = NO_CONTEXT, version2012 = true) => {
  const match = compilePatterns(
    patterns.map((p) => parseResourceTemplate(p, version2012)),
    false,
  );
  return (value: string) => match(value, context);
};
const arns = (patterns: string[], context: RequestContext = NO_CONTEXT) => {
  const match = compilePatterns(
    patterns.map((p) => parseTemplate(p, true)),
    true,
  );
  return (value: string) => match(value, context);
};

describe("action matching (case-insensitive; the caller lower-cases the request's action)", () => {
  it.each([
    [["iam:ListAccessKeys"], "iam:listaccesskeys", true],
    [["IAM:listaccesskeys"], "iam:listaccesskeys", true],
    [["iam:ListAccessKeys"], "iam:listaccesskey", false],
    [["iam:*AccessKey*"], "iam:createaccesskey", true],
    [["iam:*AccessKey*"], "iam:listaccesskeys", true],
    [["iam:*AccessKey*"], "iam:getuser", false],
    [["s3:*"], "s3:getobject", true],
    [["s3:*"], "s3x:getobject", false],
    [["*"], "anything:atall", true],
    [["iam:Get*", "iam:ListUsers"], "iam:listusers", true],
    [["iam:Get*", "iam:ListUsers"], "iam:listgroups", false],
    // `?` is one character (UNCONFIRMED for actions).
    [["iam:ListInstanceProfile?"], "iam:listinstanceprofiles", true],
    [["iam:ListInstanceProfile?"], "iam:listinstanceprofile", false],
    // Regular-expression characters are literal.
    [["iam:Get.ser"], "iam:getuser", false],
    [["s3.s:ListBucket"], "s3.s:listbucket", true],
    [["s3.s:ListBucket"], "s3xs:listbucket", false],
  ])("%j vs %s → %s", (patterns, action, expected) => expect(actions(...patterns)(action)).toBe(expected));
});

describe("resource matching (case-sensitive glob)", () => {
  it.each([
    [["*"], "arn:aws:iam::123456789012:user/alice", true],
    [["*"], "*", true],
    [["arn:aws:iam::*:user/alice"], "arn:aws:iam::123456789012:user/alice", true],
    [["arn:aws:iam::*:user/alice"], "arn:aws:iam::123456789012:user/Alice", false],
    [["arn:aws:iam::*:user/*"], "arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/JaneDoe", true],
    // `*` crosses ":" in Resource.
    [["arn:aws:s3:::*"], "arn:aws:s3:::bucket/a:b/c", true],
    [["arn:aws:iam::123456789012:*"], "arn:aws:iam::123456789012:user/alice", true],
    [["arn:aws:iam::123456789012:user/???"], "arn:aws:iam::123456789012:user/bob", true],
    [["arn:aws:iam::123456789012:user/???"], "arn:aws:iam::123456789012:user/bobby", false],
    [["arn:aws:s3:::a*b*c"], "arn:aws:s3:::a-b-c", true],
    [["arn:aws:s3:::a*b*c"], "arn:aws:s3:::a-c-b", false],
    [["arn:aws:s3:::a.b"], "arn:aws:s3:::axb", false],
    [["arn:aws:s3:::a(b)[c]{1}+$"], "arn:aws:s3:::a(b)[c]{1}+$", true],
    // A resource-specific entry never matches "*", the resource of actions without a resource type.
    [["arn:aws:iam::*:user/*"], "*", false],
    [["arn:aws:s3:::x", "arn:aws:s3:::y/*"], "arn:aws:s3:::y/z", true],
    [["arn:aws:s3:::x", "arn:aws:s3:::y/*"], "arn:aws:s3:::z", false],
  ])("%j vs %s → %s", (patterns, resource, expected) => expect(resources(patterns)(resource)).toBe(expected));
});

describe("policy variables in Resource", () => {
  const alice: RequestContext = new Map([["aws:username", "alice"]]);
  const user = "arn:aws:iam::123456789012:user/";

  it("substitutes the value, case-insensitive key names", () => {
    expect(resources(["arn:aws:iam::*:user/${aws:username}"], alice)(user + "alice")).toBe(true);
    expect(resources(["arn:aws:iam::*:user/${AWS:UserName}"], alice)(user + "alice")).toBe(true);
    expect(resources(["arn:aws:iam::*:user/${aws:username}"], alice)(user + "bob")).toBe(false);
    expect(resources(["arn:aws:iam::*:user/${aws:username}/*"], alice)(user + "alice/x/y")).toBe(true);
  });

  it("treats substituted text as literal: a * in a value is not a wildcard", () => {
    const star: RequestContext = new Map([["aws:username", "a*"]]);
    expect(resources(["arn:aws:iam::*:user/${aws:username}"], star)(user + "a*")).toBe(true);
    expect(resources(["arn:aws:iam::*:user/${aws:username}"], star)(user + "abc")).toBe(false);
    const dot: RequestContext = new Map([["aws:username", "a.c"]]);
    expect(resources(["arn:aws:iam::*:user/${aws:username}"], dot)(user + "abc")).toBe(false);
  });

  it("a variable without a value makes the entry match nothing, other entries still match", () => {
    expect(resources(["arn:aws:iam::*:user/${aws:username}"])(user + "${aws:username}")).toBe(false);
    expect(resources(["arn:aws:iam::*:user/${aws:username}"])(user)).toBe(false);
    expect(resources(["arn:aws:iam::*:user/${aws:username}", "arn:aws:s3:::b"])("arn:aws:s3:::b")).toBe(true);
  });

  it("uses the default value when the key is absent", () => {
    const p = ["arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'company-wide'}/*"];
    expect(resources(p)("arn:aws:s3:::bucket/company-wide/x")).toBe(true);
    expect(resources(p, new Map([["aws:principaltag/team", "red"]]))("arn:aws:s3:::bucket/red/x")).toBe(true);
    expect(resources(p, new Map([["aws:principaltag/team", "red"]]))("arn:aws:s3:::bucket/company-wide/x")).toBe(false);
  });

  it("${*}, ${?} and ${$} are the literal characters", () => {
    expect(resources(["arn:aws:s3:::b/${*}${?}${$}"])("arn:aws:s3:::b/*?$")).toBe(true);
    expect(resources(["arn:aws:s3:::b/${*}"])("arn:aws:s3:::b/x")).toBe(false);
  });

  it("substitutes only after the fifth colon", () => {
    const account: RequestContext = new Map([["aws:principalaccount", "123456789012"]]);
    const p = ["arn:aws:iam::${aws:PrincipalAccount}:user/*"];
    expect(resources(p, account)("arn:aws:iam::123456789012:user/alice")).toBe(false);
    expect(resources(p, account)("arn:aws:iam::${aws:PrincipalAccount}:user/alice")).toBe(true);
  });

  it("is literal text without Version 2012-10-17", () => {
    const p = ["arn:aws:iam::*:user/${aws:username}"];
    expect(resources(p, alice, false)(user + "alice")).toBe(false);
    expect(resources(p, alice, false)(user + "${aws:username}")).toBe(true);
  });

  it("a key with several values is not a variable value", () => {
    expect(resources(["arn:aws:s3:::b/${aws:username}"], new Map([["aws:username", ["a", "b"]]]))("arn:aws:s3:::b/a")).toBe(false);
    expect(resources(["arn:aws:s3:::b/${aws:username}"], new Map([["aws:username", ["a"]]]))("arn:aws:s3:::b/a")).toBe(true);
  });
});

describe("ARN matching (ArnLike / ArnEquals): wildcards stay inside their field", () => {
  it.each([
    [["arn:aws:someservice:*:111122223333:finance/*"], "arn:aws:someservice:us-east-1:111122223333:finance/a/b", true],
    [["arn:aws:someservice:*:111122223333:finance/*"], "arn:aws:someservice:us-east-1:444455556666:finance/a", false],
    // `*` in the region field does not swallow the account.
    [["arn:aws:s3:*:finance"], "arn:aws:s3:us-east-1:123:finance", false],
    [["arn:aws:sns:*:*:topic"], "arn:aws:sns:us-east-1:123456789012:topic", true],
    [["arn:aws:sns:*:*:topic"], "arn:aws:sns:us-east-1:123456789012:other:topic", false],
    // The sixth field takes the rest, colons included.
    [["arn:aws:logs:*:*:log-group:*"], "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s", true],
    [["arn:aws:logs:*:*:log-group:*:log-stream:s"], "arn:aws:logs:us-east-1:1:log-group:a:b:log-stream:s", true],
    [["arn:aws:ec2:*:*:instance/?-1"], "arn:aws:ec2:us-east-1:1:instance/i-1", true],
    [["arn:aws:iam::123456789012:user/Bob"], "arn:aws:iam::123456789012:user/bob", false],
    [["*"], "arn:aws:iam::123456789012:user/bob", true],
    [["arn:aws:iam::123456789012:user/*"], "not-an-arn", false],
  ])("%j vs %s → %s", (patterns, value, expected) => expect(arns(patterns)(value)).toBe(expected));

  it("substitutes variables anywhere in the value, literally", () => {
    const context: RequestContext = new Map([["aws:principalarn", "arn:aws:iam::1:user/a*"]]);
    expect(arns(["${aws:PrincipalArn}"], context)("arn:aws:iam::1:user/a*")).toBe(true);
    expect(arns(["${aws:PrincipalArn}"], context)("arn:aws:iam::1:user/ab")).toBe(false);
  });
});

describe("wildcards never backtrack exponentially", () => {
  // `*a*a*…*b` against a long run of `a`s took seconds at 33 characters with regular
  // expressions; the matcher's steps are bounded by pattern length × value length.
  const pattern = `arn:aws:s3:::${"*a".repeat(12)}*b`;
  const value = `arn:aws:s3:::${"a".repeat(2048)}`;
  it("Resource", () => {
    const policy = compilePolicy(parsePolicy(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: pattern }] }), { managed: true }));
    const request = (resource: string) => ({ action: "s3:GetObject", resource, context: new Map() });
    expect(evaluate([{ id: "p", type: "t", policy }], request(value)).decision).toBe("implicitDeny");
    expect(evaluate([{ id: "p", type: "t", policy }], request(`${value}b`)).decision).toBe("allow");
  });
  it("Action and StringLike", () => {
    const doc = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: `iam:${"*a".repeat(12)}*b`, Resource: "*", Condition: { StringLike: { "aws:UserAgent": `${"*a".repeat(12)}*b` } } }],
    };
    const policy = compilePolicy(parsePolicy(JSON.stringify(doc), { managed: true }));
    const long = "a".repeat(120);
    const ua = (agent: string) => new Map([["aws:useragent", agent]]);
    expect(evaluate([{ id: "p", type: "t", policy }], { action: `iam:${long}`, resource: "*", context: ua(long.repeat(17)) }).decision).toBe("implicitDeny");
    expect(evaluate([{ id: "p", type: "t", policy }], { action: `iam:${long}b`, resource: "*", context: ua(`${long.repeat(17)}b`) }).decision).toBe("allow");
  });
});
