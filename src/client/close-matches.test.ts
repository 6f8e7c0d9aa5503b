import { describe, expect, it } from "vitest";
import { closeMatches, ratio } from "./close-matches.js";

describe("closeMatches (difflib.get_close_matches)", () => {
  it("scores like SequenceMatcher.ratio", () => {
    expect(ratio("jsn", "json")).toBeCloseTo(6 / 7);
    expect(ratio("abcd", "bcde")).toBeCloseTo(0.75);
    expect(ratio("", "")).toBe(1);
  });
  it("keeps those at or above the cutoff, best first", () => {
    expect(closeMatches("jsn", ["json", "text", "table", "yaml", "yaml-stream"], 0.8)).toEqual(["json"]);
    expect(closeMatches("yml", ["json", "text", "table", "yaml", "yaml-stream"], 0.8)).toEqual(["yaml"]);
    expect(closeMatches("bogus", ["json", "text"], 0.8)).toEqual([]);
  });
});
