import { describe, expect, it } from "vitest";
import { AWS_MANAGED_POLICIES, awsManagedPolicy, isAwsManagedArn } from "./aws-managed-policies.js";

const REQUIRED = [
  "AdministratorAccess",
  "IAMReadOnlyAccess",
  "IAMFullAccess",
  "IAMUserChangePassword",
  "AmazonS3FullAccess",
  "AmazonS3ReadOnlyAccess",
];

describe("AWS_MANAGED_POLICIES", () => {
  it("holds the policies the emulator needs", () => {
    const names = AWS_MANAGED_POLICIES.map((p) => p.policyName);
    for (const name of REQUIRED) expect(names).toContain(name);
  });

  it("is sorted by policyName, without duplicates", () => {
    const names = AWS_MANAGED_POLICIES.map((p) => p.policyName);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(AWS_MANAGED_POLICIES.map((p) => p.policyId)).size).toBe(names.length);
  });

  describe.each(AWS_MANAGED_POLICIES.map((p) => [p.policyName, p] as const))("%s", (_name, p) => {
    it("has AWS's ARN shape", () => {
      expect(p.path).toMatch(/^\/([\w+=,.@-]+\/)*$/);
      expect(p.arn).toBe(`arn:aws:iam::aws:policy${p.path}${p.policyName}`);
      expect(isAwsManagedArn(p.arn)).toBe(true);
    });

    it("has a real-looking policy id and version id", () => {
      expect(p.policyId).toMatch(/^ANPA[A-Z0-9]{17}$/);
      expect(p.defaultVersionId).toMatch(/^v[1-9][0-9]*$/);
      expect(p.description.length).toBeGreaterThan(0);
    });

    it("has valid dates, created no later than updated", () => {
      expect(Number.isNaN(p.createDate.getTime())).toBe(false);
      expect(Number.isNaN(p.updateDate.getTime())).toBe(false);
      expect(p.createDate.getTime()).toBeLessThanOrEqual(p.updateDate.getTime());
    });

    it("has a compact 2012-10-17 document, Version first", () => {
      const doc = JSON.parse(p.document) as { Version?: unknown; Statement?: unknown };
      expect(doc.Version).toBe("2012-10-17");
      expect(Object.keys(doc)).toEqual(["Version", "Statement"]);
      expect(Array.isArray(doc.Statement)).toBe(true);
      expect(JSON.stringify(doc)).toBe(p.document);
      expect(p.document.length).toBeLessThan(2048);
    });

    it("is found by its ARN", () => {
      expect(awsManagedPolicy(p.arn)).toBe(p);
    });
  });

  it("keeps AWS's exact documents and versions for the basics", () => {
    expect(awsManagedPolicy("arn:aws:iam::aws:policy/AdministratorAccess")?.document).toBe(
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
    );
    const changePassword = awsManagedPolicy("arn:aws:iam::aws:policy/IAMUserChangePassword");
    expect(changePassword).toMatchObject({
      policyId: "ANPAJ4L4MM2A7QIEB56MS",
      defaultVersionId: "v5",
      description: "Provides the ability for an IAM user to change their own password.",
    });
    expect(changePassword?.createDate.toISOString()).toBe("2016-11-15T00:25:16.000Z");
  });
});

describe("awsManagedPolicy", () => {
  it("is undefined for unknown, customer, or mis-cased ARNs", () => {
    expect(awsManagedPolicy("arn:aws:iam::aws:policy/NoSuchPolicy")).toBeUndefined();
    expect(awsManagedPolicy("arn:aws:iam::123456789012:policy/AdministratorAccess")).toBeUndefined();
    expect(awsManagedPolicy("arn:aws:iam::aws:policy/administratoraccess")).toBeUndefined();
    expect(awsManagedPolicy("AdministratorAccess")).toBeUndefined();
  });
});

describe("isAwsManagedArn", () => {
  it("tells AWS's namespace from an account's", () => {
    expect(isAwsManagedArn("arn:aws:iam::aws:policy/NoSuchPolicy")).toBe(true);
    expect(isAwsManagedArn("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")).toBe(true);
    expect(isAwsManagedArn("arn:aws:iam::123456789012:policy/mine")).toBe(false);
  });
});
