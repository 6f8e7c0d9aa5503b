import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parsePolicy } from "./parse.js";
import { PolicyParseError } from "./errors.js";

const testdata = (name: string): string => readFileSync(new URL(`./testdata/${name}`, import.meta.url), "utf8");

interface ValidityCase {
  id: string;
  description: string;
  policyDocument: string;
  expected: { httpStatus: number; accepted?: true; message?: string };
  localstackMarksMessageUnverified?: true;
}

const cases = (JSON.parse(testdata("create-policy-document-validity.cases.json")) as { cases: ValidityCase[] }).cases;

/** LocalStack's snapshots replace the partition and region with placeholders; put AWS's values back. */
const unplaceholder = (message: string): string => message.replaceAll("<partition>", "aws").replaceAll("<region>", "us-east-1");

/**
 * invalid-29 was extracted from a pytest parameter tuple, so the file holds `[document, false]`;
 * the `false` is LocalStack's own flag, not part of what AWS received (the same test module lists
 * the case as the bare object). AWS answered for the object.
 */
function documentSentToAws(c: ValidityCase): string {
  if (c.id !== "invalid-29") return c.policyDocument;
  const suffix = ", false]";
  expect(c.policyDocument.startsWith("[{") && c.policyDocument.endsWith(suffix)).toBe(true);
  return c.policyDocument.slice(1, -suffix.length);
}

const messageOf = (text: string, managed = true): string | undefined => {
  try {
    parsePolicy(text, { managed });
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyParseError);
    return (e as Error).message;
  }
};

describe("CreatePolicy document validity: the 129 AWS-validated cases", () => {
  it("has all 129 (78 invalid, 51 valid)", () => {
    expect(cases).toHaveLength(129);
    expect(cases.filter((c) => c.expected.accepted)).toHaveLength(51);
  });

  for (const c of cases) {
    const expected = c.expected.accepted ? undefined : unplaceholder(c.expected.message!);
    it(`${c.id}: ${c.description} → ${expected ?? "accepted"}`, () => {
      expect(messageOf(documentSentToAws(c))).toBe(expected);
    });
  }

  it("invalid-29 as stored (a JSON array, not an object) is a syntax error", () => {
    const c = cases.find((x) => x.id === "invalid-29")!;
    expect(messageOf(c.policyDocument)).toBe("Syntax errors in policy.");
  });
});

const doc = (statement: object, version: string | null = "2012-10-17"): string =>
  JSON.stringify(version === null ? { Statement: statement } : { Version: version, Statement: statement });
const allow = { Effect: "Allow", Action: "s3:GetObject", Resource: "*" };

describe("parsePolicy: structure", () => {
  it("returns statements in the engine's shape", () => {
    const parsed = parsePolicy(
      doc([
        { Sid: "One", Effect: "Allow", Action: ["iam:GetUser", "iam:ListUsers"], Resource: "*" },
        { Effect: "Deny", NotAction: "iam:*", NotResource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"] },
      ]),
      { managed: true },
    );
    expect(parsed.version).toBe("2012-10-17");
    const [one, two] = parsed.statements;
    expect(one).toMatchObject({ sid: "One", effect: "Allow", action: ["iam:GetUser", "iam:ListUsers"], resource: ["*"], conditions: [] });
    expect(one).not.toHaveProperty("notAction");
    expect(two).toMatchObject({ sid: undefined, effect: "Deny", notAction: ["iam:*"], notResource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"] });
    expect(two).not.toHaveProperty("action");
    expect(two).not.toHaveProperty("resource");
  });

  it("turns JSON numbers and booleans in conditions into strings, as written", () => {
    const parsed = parsePolicy(
      doc({ ...allow, Condition: { Bool: { "aws:MultiFactorAuthPresent": false }, NumericLessThan: { "aws:MultiFactorAuthAge": [3600, 1.50, "7"] } } }),
      { managed: true },
    );
    expect(parsed.statements[0]!.conditions).toEqual([
      { operator: "Bool", key: "aws:MultiFactorAuthPresent", values: ["false"] },
      { operator: "NumericLessThan", key: "aws:MultiFactorAuthAge", values: ["3600", "1.5", "7"] },
    ]);
    // The number's text, not its value: 1.50 stays "1.50".
    const raw = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"a:b","Resource":"*","Condition":{"NumericEquals":{"k":1.50}}}}`;
    expect(parsePolicy(raw, { managed: true }).statements[0]!.conditions[0]!.values).toEqual(["1.50"]);
  });

  it("refuses a repeated key anywhere, JSON null values, and trailing text", () => {
    const dupTop = `{"Version":"2012-10-17","Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"a:b","Resource":"*"}}`;
    const dupStatement = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Effect":"Allow","Action":"a:b","Resource":"*"}}`;
    const dupCondition = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"a:b","Resource":"*","Condition":{"Bool":{"k":"true","k":"false"}}}}`;
    for (const text of [dupTop, dupStatement, dupCondition]) expect(messageOf(text)).toBe("Syntax errors in policy.");
    expect(messageOf(doc({ ...allow, Condition: { StringEquals: { k: null } } }))).toBe("Syntax errors in policy.");
    expect(messageOf(doc({ ...allow, Condition: { StringEquals: { k: [["x"]] } } }))).toBe("Syntax errors in policy.");
    expect(messageOf(doc(allow) + " x")).toBe("Syntax errors in policy.");
    expect(messageOf("[".repeat(100_000))).toBe("Syntax errors in policy.");
  });

  it("accepts JSON escapes and white space of every kind JSON allows", () => {
    const text = '\r\n{ "Version" :\t"2012-10-17",\n "Statement": {"Effect":"Allow","Action":"s3:Get\\u004fbject","Resource":"arn:aws:s3:::a\\/b"} }\n';
    const s = parsePolicy(text, { managed: true }).statements[0]!;
    expect(s.action).toEqual(["s3:GetObject"]);
    expect(s.resource).toEqual(["arn:aws:s3:::a/b"]);
  });

  it("refuses Principal and NotPrincipal in identity-based policies", () => {
    for (const key of ["Principal", "NotPrincipal"]) {
      expect(messageOf(doc({ ...allow, [key]: { AWS: "arn:aws:iam::123456789012:root" } }))).toBe("Policy document should not specify a principal.");
      expect(messageOf(doc({ ...allow, [key]: "*" }), false)).toBe("Policy document should not specify a principal.");
      expect(messageOf(doc({ ...allow, [key]: 5 }))).toBe("Syntax errors in policy.");
    }
  });

  it("refuses NullIfExists (IfExists applies to every operator but Null) and unknown operators with keys", () => {
    expect(messageOf(doc({ ...allow, Condition: { NullIfExists: { k: "true" } } }))).toBe("Syntax errors in policy.");
    expect(messageOf(doc({ ...allow, Condition: { stringequals: { k: "v" } } }))).toBe("Syntax errors in policy.");
    expect(messageOf(doc({ ...allow, Condition: { "ForAllValues:StringLikeIfExists": { k: "v" }, "ForAnyValue:Null": { k: "true" } } }))).toBeUndefined();
  });

  it("checks Date values in every Date operator, with prefixes and IfExists", () => {
    for (const operator of ["DateEquals", "DateNotEqualsIfExists", "ForAnyValue:DateGreaterThanEquals"]) {
      expect(messageOf(doc({ ...allow, Condition: { [operator]: { "aws:CurrentTime": ["2020-01-01T00:00:00Z", "not a date"] } } }))).toBe(
        "The policy failed legacy parsing",
      );
    }
    expect(messageOf(doc({ ...allow, Condition: { StringEquals: { "aws:CurrentTime": "not a date" } } }))).toBeUndefined();
  });
});

describe("parsePolicy: Version", () => {
  it("managed policies need 2012-10-17", () => {
    expect(messageOf(doc(allow, null), true)).toBe("Policy document must be version 2012-10-17 or greater.");
    expect(messageOf(doc(allow, "2008-10-17"), true)).toBe("Policy document must be version 2012-10-17 or greater.");
  });

  it("inline policies accept a missing or 2008-10-17 Version (UNCONFIRMED, see parse.ts)", () => {
    expect(parsePolicy(doc(allow, null), { managed: false }).version).toBeUndefined();
    expect(parsePolicy(doc(allow, "2008-10-17"), { managed: false }).version).toBe("2008-10-17");
    // Any other string is still a syntax error, and later checks still apply.
    expect(messageOf(doc(allow, "2013-10-17"), false)).toBe("Syntax errors in policy.");
    expect(messageOf(doc({ Effect: "Allow", Action: "a:b" }, null), false)).toBe("Policy statement must contain resources.");
  });
});

describe("parsePolicy: statement positions (simulator StartPosition / EndPosition)", () => {
  interface SimulateCase {
    id: string;
    request: { PolicyInputList?: string[]; attachedManagedPolicyDocumentAsSent?: string };
    response?: { EvaluationResults: { MatchedStatements: { StartPosition: object; EndPosition: object }[] }[] };
    response_excerpt?: Record<string, { StartPosition?: object; EndPosition?: object }>;
  }
  const simulate = (JSON.parse(testdata("simulate-policy.cases.json")) as { cases: SimulateCase[] }).cases;
  const lower = (p: object): { line: number; column: number } => {
    const { Line, Column } = p as { Line: number; Column: number };
    return { line: Line, column: Column };
  };

  for (const c of simulate) {
    const text = c.request.PolicyInputList?.[0] ?? c.request.attachedManagedPolicyDocumentAsSent!;
    const recorded = c.response?.EvaluationResults[0]?.MatchedStatements[0] ?? Object.values(c.response_excerpt ?? {}).find((r) => r.StartPosition);
    if (recorded === undefined) continue;
    it(`${c.id}`, () => {
      const s = parsePolicy(text, { managed: true }).statements[0]!;
      expect(s.start).toEqual(lower(recorded.StartPosition!));
      expect(s.end).toEqual(lower(recorded.EndPosition!));
    });
  }

  it("counts lines for multi-line documents (\\n, \\r\\n and \\r each end a line)", () => {
    const text = '{\n  "Version": "2012-10-17",\r\n  "Statement": [\r    {"Effect": "Allow", "Action": "a:b", "Resource": "*"},\n    {\n      "Effect": "Deny", "Action": "a:c", "Resource": "*"\n    }\n  ]\n}';
    const [a, b] = parsePolicy(text, { managed: true }).statements;
    expect(a!.start).toEqual({ line: 4, column: 6 });
    expect(a!.end).toEqual({ line: 4, column: 58 });
    expect(b!.start).toEqual({ line: 5, column: 6 });
    expect(b!.end).toEqual({ line: 7, column: 6 });
  });
});
