import { describe, expect, it } from "vitest";
import { compileCondition } from "./conditions.js";
import type { ContextValue } from "./types.js";

/** Evaluates `{ operator: { key: values } }` against a context given as a plain object. */
function holds(operator: string, values: string | string[], context: Record<string, ContextValue>, key = "k", version2012 = true): boolean {
  const clause = { operator, key, values: typeof values === "string" ? [values] : values };
  const map = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  return compileCondition(clause, version2012).test(map);
}

type Row = [operator: string, policy: string | string[], request: ContextValue | undefined, expected: boolean];
const table = (rows: Row[]) =>
  it.each(rows)("%s %j, request %j → %s", (operator, policy, request, expected) =>
    expect(holds(operator, policy, request === undefined ? {} : { k: request })).toBe(expected),
  );

describe("string operators", () => {
  table([
    ["StringEquals", "abc", "abc", true],
    ["StringEquals", "abc", "ABC", false],
    ["StringEquals", ["x", "abc"], "abc", true],
    ["StringEquals", "a*", "abc", false],
    ["StringEquals", "a*", "a*", true],
    ["StringEquals", "abc", undefined, false],
    ["StringNotEquals", "abc", "abc", false],
    ["StringNotEquals", "abc", "abd", true],
    ["StringNotEquals", ["abc", "abd"], "abd", false],
    ["StringNotEquals", "abc", undefined, true],
    ["StringEqualsIgnoreCase", "AbC", "aBc", true],
    ["StringEqualsIgnoreCase", "AbC", "abd", false],
    ["StringEqualsIgnoreCase", "AbC", undefined, false],
    ["StringNotEqualsIgnoreCase", "AbC", "aBc", false],
    ["StringNotEqualsIgnoreCase", "AbC", "x", true],
    ["StringNotEqualsIgnoreCase", "AbC", undefined, true],
    ["StringLike", "home/*", "home/alice/x", true],
    ["StringLike", "home/*", "Home/alice", false],
    ["StringLike", "a?c", "abc", true],
    ["StringLike", "a?c", "abbc", false],
    ["StringLike", ["", "home/"], "", true],
    ["StringLike", "a.c", "abc", false],
    ["StringLike", "abc", undefined, false],
    ["StringNotLike", "home/*", "home/alice", false],
    ["StringNotLike", "home/*", "tmp/alice", true],
    ["StringNotLike", ["home/*", "tmp/*"], "tmp/alice", false],
    ["StringNotLike", "home/*", undefined, true],
  ]);
});

describe("numeric operators", () => {
  table([
    ["NumericEquals", "10", "10", true],
    ["NumericEquals", "10", "10.0", true],
    ["NumericEquals", "10", "11", false],
    ["NumericNotEquals", "10", "11", true],
    ["NumericNotEquals", "10", "10", false],
    ["NumericNotEquals", "10", undefined, true],
    ["NumericLessThan", "3600", "3599", true],
    ["NumericLessThan", "3600", "3600", false],
    ["NumericLessThanEquals", "3600", "3600", true],
    ["NumericLessThanEquals", "3600", "3601", false],
    ["NumericGreaterThan", "14400", "14401", true],
    ["NumericGreaterThan", "14400", "14400", false],
    ["NumericGreaterThanEquals", "1.5", "1.5", true],
    ["NumericGreaterThanEquals", "1.5", "1.49", false],
    ["NumericLessThan", "-1", "-2", true],
    ["NumericLessThan", "10", "abc", false],
    ["NumericLessThan", "abc", "1", false],
    ["NumericLessThan", "3600", undefined, false],
  ]);
});

describe("date operators (ISO 8601 or epoch seconds, either side)", () => {
  table([
    ["DateGreaterThan", "2018-08-16T12:00:00Z", "2019-04-25T11:00:00Z", true],
    ["DateGreaterThan", "2018-08-16T12:00:00Z", "2014-04-25T11:00:00Z", false],
    ["DateGreaterThan", "2018-08-16T12:00:00Z", "2018-08-16T12:00:00Z", false],
    ["DateGreaterThanEquals", "2018-08-16T12:00:00Z", "2018-08-16T12:00:00Z", true],
    ["DateLessThan", "2017-12-31T23:59:59Z", "2017-12-31T23:59:58Z", true],
    ["DateLessThanEquals", "2017-12-31T23:59:59Z", "2018-01-01T00:00:00Z", false],
    ["DateEquals", "2020-01-01T00:00:00Z", "2020-01-01T01:00:00+01:00", true],
    ["DateEquals", "1577836800", "2020-01-01T00:00:00Z", true],
    ["DateEquals", "2020-01-01T00:00:00Z", "1577836800", true],
    ["DateNotEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:01Z", true],
    ["DateNotEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", false],
    ["DateNotEquals", "2020-01-01T00:00:00Z", undefined, true],
    ["DateGreaterThan", "2020-01-01T00:00:00Z", "not a date", false],
    ["DateGreaterThan", "2020-01-01T00:00:00Z", undefined, false],
  ]);
});

describe("Bool, BinaryEquals, Null", () => {
  table([
    ["Bool", "true", "true", true],
    ["Bool", "true", "false", false],
    ["Bool", "false", "false", true],
    ["Bool", "false", undefined, false],
    // UNCONFIRMED: case-insensitive.
    ["Bool", "True", "true", true],
    ["Bool", "true", "yes", false],
    ["BinaryEquals", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", true],
    ["BinaryEquals", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", "QmluYXJ5VmFsdWVJbkJhc2U2NQ==", false],
    ["BinaryEquals", "QQ==", undefined, false],
    ["Null", "true", undefined, true],
    ["Null", "true", "x", false],
    ["Null", "false", "x", true],
    ["Null", "false", undefined, false],
    ["Null", "true", [], true],
  ]);
});

describe("IpAddress / NotIpAddress", () => {
  table([
    ["IpAddress", "203.0.113.0/24", "203.0.113.7", true],
    ["IpAddress", "203.0.113.0/24", "203.0.114.7", false],
    ["IpAddress", "203.0.113.7", "203.0.113.7", true],
    ["IpAddress", "203.0.113.7", "203.0.113.8", false],
    ["IpAddress", "10.0.0.1/8", "10.200.3.4", true],
    ["IpAddress", "203.0.113.0/25", "203.0.113.128", false],
    ["IpAddress", "0.0.0.0/0", "198.51.100.1", true],
    ["IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5678:abcd::1", true],
    ["IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5679::1", false],
    ["IpAddress", "::1", "0:0:0:0:0:0:0:1", true],
    ["IpAddress", "203.0.113.0/24", "::ffff:203.0.113.9", true],
    ["IpAddress", "203.0.113.0/24", "2001:db8::1", false],
    ["IpAddress", "2001:db8::/32", "203.0.113.1", false],
    ["IpAddress", ["192.0.2.0/24", "203.0.113.0/24"], "203.0.113.1", true],
    ["IpAddress", "not-an-ip", "203.0.113.1", false],
    ["IpAddress", "203.0.113.0/24", "not-an-ip", false],
    ["IpAddress", "203.0.113.0/24", undefined, false],
    ["NotIpAddress", "203.0.113.0/24", "198.51.100.1", true],
    ["NotIpAddress", "203.0.113.0/24", "203.0.113.1", false],
    ["NotIpAddress", "203.0.113.0/24", undefined, true],
  ]);
});

describe("ARN operators", () => {
  table([
    ["ArnEquals", "arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:user/alice", true],
    ["ArnEquals", "arn:aws:iam::*:user/*", "arn:aws:iam::123456789012:user/alice", true],
    ["ArnLike", "arn:aws:iam::*:user/*", "arn:aws:iam::123456789012:user/alice", true],
    ["ArnLike", "arn:aws:iam::*:user/*", "arn:aws:iam::123456789012:role/alice", false],
    ["ArnLike", "arn:aws:iam::*:user/alice", "arn:aws:iam::123456789012:user/Alice", false],
    ["ArnLike", "arn:aws:iam::*:user/*", undefined, false],
    ["ArnNotEquals", "arn:aws:iam::*:user/*", "arn:aws:iam::123456789012:user/alice", false],
    ["ArnNotLike", "arn:aws:iam::*:user/*", "arn:aws:iam::123456789012:role/r", true],
    ["ArnNotLike", "arn:aws:iam::*:user/*", undefined, true],
  ]);
});

describe("IfExists", () => {
  table([
    ["StringEqualsIfExists", "abc", undefined, true],
    ["StringEqualsIfExists", "abc", "abc", true],
    ["StringEqualsIfExists", "abc", "x", false],
    ["StringNotEqualsIfExists", "abc", undefined, true],
    ["StringNotEqualsIfExists", "abc", "abc", false],
    ["StringLikeIfExists", "a*", undefined, true],
    ["NumericLessThanIfExists", "3600", undefined, true],
    ["NumericLessThanIfExists", "3600", "4000", false],
    ["NumericGreaterThanIfExists", "14400", "20000", true],
    ["DateGreaterThanIfExists", "2020-01-01T00:00:00Z", undefined, true],
    ["DateGreaterThanIfExists", "2020-01-01T00:00:00Z", "2019-01-01T00:00:00Z", false],
    ["BoolIfExists", "false", undefined, true],
    ["BoolIfExists", "false", "false", true],
    ["BoolIfExists", "false", "true", false],
    ["BinaryEqualsIfExists", "QQ==", undefined, true],
    ["IpAddressIfExists", "203.0.113.0/24", undefined, true],
    ["IpAddressIfExists", "203.0.113.0/24", "198.51.100.1", false],
    ["NotIpAddressIfExists", "203.0.113.0/24", undefined, true],
    ["ArnLikeIfExists", "arn:aws:iam::*:user/*", undefined, true],
    ["ArnNotLikeIfExists", "arn:aws:iam::*:user/*", "arn:aws:iam::1:user/u", false],
  ]);
});

describe("set operators (multivalued keys)", () => {
  table([
    // ForAllValues: every request value matches some policy value; true for an absent key or empty set.
    ["ForAllValues:StringEquals", ["a", "b"], ["a", "b"], true],
    ["ForAllValues:StringEquals", ["a", "b"], ["a"], true],
    ["ForAllValues:StringEquals", ["a", "b"], ["a", "c"], false],
    ["ForAllValues:StringEquals", ["a"], undefined, true],
    ["ForAllValues:StringEquals", ["a"], [], true],
    ["ForAllValues:StringLike", "Created*", ["CreatedBy", "CreatedAt"], true],
    ["ForAllValues:StringLike", "Created*", ["CreatedBy", "Owner"], false],
    ["ForAllValues:StringNotEquals", ["a", "b"], ["c", "d"], true],
    ["ForAllValues:StringNotEquals", ["a", "b"], ["c", "a"], false],
    // ForAnyValue: at least one request value matches; false for an absent key or empty set.
    ["ForAnyValue:StringEquals", ["a", "b"], ["c", "b"], true],
    ["ForAnyValue:StringEquals", ["a", "b"], ["c", "d"], false],
    ["ForAnyValue:StringEquals", ["a"], undefined, false],
    ["ForAnyValue:StringEquals", ["a"], [], false],
    ["ForAnyValue:StringNotEquals", ["a"], ["a", "b"], true],
    ["ForAnyValue:StringNotEquals", ["a"], ["a"], false],
    ["ForAnyValue:StringNotEquals", ["a"], undefined, false],
    ["ForAnyValue:StringEqualsIfExists", "asf", undefined, true],
    ["ForAnyValue:StringEqualsIfExists", "asf", ["x"], false],
    ["ForAnyValue:NumericGreaterThan", "5", ["1", "9"], true],
    ["ForAllValues:NumericGreaterThan", "5", ["1", "9"], false],
    ["ForAnyValue:IpAddress", "10.0.0.0/8", ["192.0.2.1", "10.1.2.3"], true],
    // A set given to a plain operator is read as ForAnyValue (UNCONFIRMED).
    ["StringEquals", "a", ["x", "a"], true],
    ["StringEquals", "a", ["x", "y"], false],
    ["StringNotEquals", "a", ["x", "a"], true],
    ["StringNotEquals", "a", ["a"], false],
  ]);
});

describe("keys and values", () => {
  it("key names compare case-insensitively", () => {
    expect(holds("Bool", "true", { "AWS:MULTIFACTORAUTHPRESENT": "true" }, "aws:MultiFactorAuthPresent")).toBe(true);
    expect(holds("Bool", "true", { "aws:multifactorauthpresent": "true" }, "AWS:multifactorAuthPresent")).toBe(true);
  });

  it("an operator the engine does not know is false", () => {
    expect(holds("StringEqualz", "a", { k: "a" })).toBe(false);
    expect(holds("StringEqualz", "a", {})).toBe(false);
  });

  it("an empty value list matches nothing (negated: matches everything)", () => {
    expect(holds("StringEquals", [], { k: "a" })).toBe(false);
    expect(holds("StringNotEquals", [], { k: "a" })).toBe(true);
    expect(holds("DateGreaterThan", [], { k: "2020-01-01T00:00:00Z" })).toBe(false);
  });
});

describe("policy variables in condition values", () => {
  const user = { k: "alice", "aws:username": "alice" };

  it("substitutes in String* and Arn* values", () => {
    expect(holds("StringEquals", "${aws:username}", user)).toBe(true);
    expect(holds("StringEqualsIgnoreCase", "${aws:username}", { k: "ALICE", "aws:username": "alice" })).toBe(true);
    expect(holds("StringLike", "home/${aws:username}/*", { k: "home/alice/docs", "aws:username": "alice" })).toBe(true);
    expect(holds("StringLike", "home/${aws:username}/*", { k: "home/bob/docs", "aws:username": "alice" })).toBe(false);
    expect(holds("ArnLike", "arn:aws:iam::*:user/${aws:username}", { k: "arn:aws:iam::1:user/alice", "aws:username": "alice" })).toBe(true);
  });

  it("substituted text is literal in StringLike", () => {
    expect(holds("StringLike", "${aws:username}", { k: "anything", "aws:username": "*" })).toBe(false);
    expect(holds("StringLike", "${aws:username}", { k: "*", "aws:username": "*" })).toBe(true);
    expect(holds("StringLike", "${*}", { k: "*" })).toBe(true);
    expect(holds("StringLike", "${*}", { k: "x" })).toBe(false);
  });

  it("a missing variable: StringEquals / StringLike do not match, StringNotEquals / StringNotLike do", () => {
    const context = { k: "alice" };
    expect(holds("StringEquals", "${aws:username}", context)).toBe(false);
    expect(holds("StringLike", "${aws:username}*", context)).toBe(false);
    expect(holds("StringNotEquals", "${aws:username}", context)).toBe(true);
    expect(holds("StringNotLike", "${aws:username}*", context)).toBe(true);
    expect(holds("StringEquals", ["${aws:username}", "alice"], context)).toBe(true);
    expect(holds("StringEquals", "${aws:username, 'alice'}", context)).toBe(true);
  });

  it("are literal text without Version 2012-10-17", () => {
    expect(holds("StringEquals", "${aws:username}", user, "k", false)).toBe(false);
    expect(holds("StringEquals", "${aws:username}", { k: "${aws:username}" }, "k", false)).toBe(true);
  });

  it("are not substituted in Bool, Numeric, Date, IP or Null values", () => {
    expect(holds("Bool", "${aws:SecureTransport}", { k: "true", "aws:securetransport": "true" })).toBe(false);
    expect(holds("NumericEquals", "${aws:EpochTime}", { k: "5", "aws:epochtime": "5" })).toBe(false);
  });
});
