/**
 * A valid-looking call of every Query operation, made from its input shape (src/protocol/shapes.ts)
 * so that an operation added later is fuzzed without a change here: required members always,
 * optional ones at random, each given a value that names the suite's fixtures where its name
 * says what it is (UserName → the fuzz user, PolicyArn → the fuzz policy, …) and otherwise one
 * that fits the member's enum, length and pattern where one of a few candidates does.
 */
import type { Operation } from "../../src/protocol/operation.js";
import type { Field, StringField } from "../../src/protocol/shapes.js";
import type { Rng } from "./seeded.js";

/** What the suite created before fuzzing, for values to name. */
export interface Fixtures {
  accountId: string;
  userArn: string;
  userAccessKeyId: string;
  policyArn: string;
  roleArn: string;
  deviceSerial: string;
}

export const POLICY_DOCUMENT = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ["sts:GetCallerIdentity", "iam:Get*"], Resource: "*", Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }],
});

const trustPolicy = (fx: Fixtures) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${fx.accountId}:root` }, Action: "sts:AssumeRole" }] });

/** Values by member name (for list members: the list's name; for structure members: their own). */
const NAMED: Record<string, (fx: Fixtures) => string> = {
  UserName: () => "fuzz-user",
  NewUserName: () => "fuzz-renamed",
  GroupName: () => "fuzz-group",
  RoleName: () => "fuzz-role",
  PolicyName: () => "fuzz-inline",
  VirtualMFADeviceName: () => "fuzz-new-device",
  Path: () => "/fuzz/",
  NewPath: () => "/fuzz/",
  PathPrefix: () => "/",
  PolicyArn: (fx) => fx.policyArn,
  PermissionsBoundary: (fx) => fx.policyArn,
  arn: (fx) => fx.policyArn,
  PolicySourceArn: (fx) => fx.userArn,
  RoleArn: (fx) => fx.roleArn,
  PolicyDocument: () => POLICY_DOCUMENT,
  Policy: () => POLICY_DOCUMENT,
  PolicyInputList: () => POLICY_DOCUMENT,
  AssumeRolePolicyDocument: trustPolicy,
  SerialNumber: (fx) => fx.deviceSerial,
  TokenCode: () => "123456",
  AuthenticationCode1: () => "123456",
  AuthenticationCode2: () => "654321",
  AccessKeyId: (fx) => fx.userAccessKeyId,
  VersionId: () => "v1",
  RoleSessionName: () => "fuzz-session",
  ExternalId: () => "fuzz-external",
  SourceIdentity: () => "fuzz-source",
  Description: () => "fuzzed",
  Key: () => "team",
  Value: () => "fuzz",
  TagKeys: () => "team",
  TransitiveTagKeys: () => "team",
  ActionNames: () => "iam:GetUser",
  ResourceArns: () => "*",
  ContextKeyName: () => "aws:MultiFactorAuthPresent",
  ContextKeyValues: () => "true",
  ContextKeyType: () => "boolean",
};

const CANDIDATES = ["fuzz", "/", "/fuzz/", "123456", "v1", "fuzz-value-long-enough", "arn:aws:iam::123456789012:user/fuzz-user"];

const fits = (field: StringField, value: string): boolean =>
  (field.enum === undefined || field.enum.includes(value)) &&
  (field.pattern === undefined || new RegExp(`^(?:${field.pattern})$`, "u").test(value)) &&
  value.length >= (field.min ?? 0) &&
  value.length <= (field.max ?? Infinity);

function stringValue(name: string, field: StringField, fx: Fixtures, rng: Rng): string {
  if (field.enum) return rng.pick(field.enum);
  const named = NAMED[name]?.(fx);
  if (named !== undefined) return named;
  const fitting = CANDIDATES.find((c) => fits(field, c));
  if (fitting !== undefined) return fitting;
  // Long enough for the minimum, short enough for the maximum.
  return "fuzz".padEnd(field.min ?? 0, "z").slice(0, field.max ?? 64);
}

function scalar(name: string, field: Field, fx: Fixtures, rng: Rng): string {
  if (field.type === "integer") return String(field.min ?? 1);
  if (field.type === "boolean") return rng.pick(["true", "false"]);
  if (field.type === "string") return stringValue(name, field, fx, rng);
  throw new Error(`not a scalar: ${field.type}`);
}

/** The wire parameters of a call of `op`, Action and Version first. */
export function operationParams(op: Operation, fx: Fixtures, rng: Rng): [string, string][] {
  const pairs: [string, string][] = [
    ["Action", op.action],
    ["Version", op.service.version],
  ];
  for (const [name, field] of Object.entries(op.input)) {
    if (!field.required && rng.next() < 0.5) continue;
    if (field.type === "list") {
      const count = rng.between(1, 2);
      for (let n = 1; n <= count; n++) pairs.push([`${name}.member.${n}`, stringValue(name, field.member, fx, rng)]);
    } else if (field.type === "structs") {
      for (const [member, memberField] of Object.entries(field.members)) {
        if (memberField.type === "list") pairs.push([`${name}.member.1.${member}.member.1`, stringValue(member, memberField.member, fx, rng)]);
        else pairs.push([`${name}.member.1.${member}`, stringValue(member, memberField, fx, rng)]);
      }
    } else {
      pairs.push([name, scalar(name, field, fx, rng)]);
    }
  }
  return pairs;
}
