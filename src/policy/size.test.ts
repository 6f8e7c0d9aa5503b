import { describe, expect, it } from "vitest";
import { hasPolicyCharacters, policySize } from "./size.js";

describe("policySize (IAM counts characters without white space)", () => {
  it.each([
    ['{"a": "b"}', 9],
    ['{\n  "a" : "b c"\n}\r\n', 10],
    ["\t\t", 0],
    ["é", 1],
  ])("%j → %i", (text, size) => expect(policySize(text)).toBe(size));
});

describe("hasPolicyCharacters (the IAM model's pattern, checked by the caller)", () => {
  it.each([
    ["{}\t\n\r", true],
    ["caf\u00e9 \u00ff", true],
    ["", false],
    ["\u0000", false],
    ["\u000b", false],
    ["\u0100", false],
    ["\u2028", false],
    ["\ud83d\ude00", false],
  ])("%j → %s", (text, ok) => expect(hasPolicyCharacters(text)).toBe(ok));
});
