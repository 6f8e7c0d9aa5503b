import { describe, expect, it } from "vitest";
import { AwsError } from "../errors.js";
import { decodeFormComponent, parseQueryParams } from "./query.js";
import { validateInput, type InputShape } from "./shapes.js";

const STS_GST: InputShape = {
  DurationSeconds: { type: "integer", min: 900, max: 129600 },
  SerialNumber: { type: "string", min: 9, max: 256, pattern: "[\\w+=/:,.@-]*" },
  TokenCode: { type: "string", min: 6, max: 6, pattern: "[\\d]*" },
};

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as AwsError).message;
  }
  throw new Error("no error");
}

describe("validateInput", () => {
  it("produces Coral's texts, joined in model order", () => {
    expect(message(() => validateInput(STS_GST, new Map([["DurationSeconds", "600"]])))).toBe(
      "1 validation error detected: Value '600' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    );
    expect(
      message(() =>
        validateInput(STS_GST, new Map([["DurationSeconds", "129601"], ["TokenCode", "abcdefg"]])),
      ),
    ).toBe(
      "3 validation errors detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600; " +
        "Value 'abcdefg' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*; " +
        "Value 'abcdefg' at 'tokenCode' failed to satisfy constraint: Member must have length less than or equal to 6",
    );
  });

  it("reports a missing required member as null", () => {
    expect(message(() => validateInput({ UserName: { type: "string", required: true } }, new Map()))).toBe(
      "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null",
    );
  });

  it("passes valid input through, typed", () => {
    expect(validateInput(STS_GST, new Map([["DurationSeconds", "900"], ["TokenCode", "123456"]]))).toEqual({
      DurationSeconds: 900,
      TokenCode: "123456",
    });
  });
});

describe("query parameters", () => {
  it("decodes + as space and UTF-8 escapes", () => {
    expect(decodeFormComponent("abc+def%20%E2%9C%93")).toBe("abc def ✓");
  });
  it("reads raw UTF-8 bytes in a body as UTF-8, and refuses other bytes", () => {
    const wire = (body: Buffer) => ({ method: "POST", rawPath: "/", rawQuery: "", headers: [], body });
    expect(parseQueryParams(wire(Buffer.from("UserName=é✓"))).get("UserName")).toBe("é✓");
    expect(() => parseQueryParams(wire(Buffer.from([0x41, 0x3d, 0xe9])))).toThrow("syntax error");
  });
  it("merges the query string and a form body", () => {
    const params = parseQueryParams({
      method: "POST",
      rawPath: "/",
      rawQuery: "Action=GetCallerIdentity",
      headers: [["Content-Type", "application/x-www-form-urlencoded; charset=utf-8"]],
      body: Buffer.from("Version=2011-06-15&Empty=&Flag"),
    });
    expect([...params]).toEqual([
      ["Action", "GetCallerIdentity"],
      ["Version", "2011-06-15"],
      ["Empty", ""],
      ["Flag", ""],
    ]);
  });
});
