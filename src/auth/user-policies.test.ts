import { describe, expect, it } from "vitest";
import { compiledDocument, PolicySet, type NamedPolicy } from "./user-policies.js";

const denyWithoutMfa = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Action: "iam:*", Resource: "*" },
    { Effect: "Deny", NotAction: "iam:GetUser", Resource: "*", Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } },
  ],
});
const policies: NamedPolicy[] = [{ id: "mfa", type: "IAM Policy", arn: null, policy: compiledDocument(denyWithoutMfa) }];
const request = (mfa: string | undefined, action = "iam:ListUsers") => ({
  action,
  resource: "*",
  context: new Map(mfa === undefined ? [] : [["aws:multifactorauthpresent", mfa]]),
});

describe("PolicySet", () => {
  it("remembers a decision by action, resource and every context value", () => {
    const set = new PolicySet(policies, 0);
    const first = set.evaluate(request("true"));
    expect(first.decision).toBe("allow");
    expect(set.evaluate(request("true"))).toBe(first); // the same answer, not evaluated again
    expect(set.evaluate(request("false")).decision).toBe("explicitDeny");
    expect(set.evaluate(request(undefined)).decision).toBe("explicitDeny");
    expect(set.evaluate(request(undefined, "iam:GetUser")).decision).toBe("allow");
    expect(set.evaluate(request("true")).decision).toBe("allow");
  });

  it("a document is compiled once per text", () => {
    expect(compiledDocument(denyWithoutMfa)).toBe(policies[0]!.policy);
  });
});
