import { describe, expect, it } from "vitest";
import { expandUser, expandVars } from "./paths.js";

// Expected values printed by Python 3.11's os.path.expanduser / expandvars with HOME=/home/me/ and X=1.
describe("Python's path expansion", () => {
  it.each([
    ["~", "/home/me"],
    ["~/a", "/home/me/a"],
    ["~root/a", "/root/a"],
    ["~root", "/root"],
    ["~nosuchuser/a", "~nosuchuser/a"],
    ["a/~", "a/~"],
    ["$X/b", "$X/b"],
  ])("expanduser(%j) = %j", (path, expected) => {
    expect(expandUser(path, "/home/me/")).toBe(expected);
  });

  it.each([
    ["~/a", "~/a"],
    ["$X/b", "1/b"],
    ["${X}b", "1b"],
    ["$Y/c", "$Y/c"],
    ["${}", "${}"],
    ["$X$X", "11"],
    ["$", "$"],
  ])("expandvars(%j) = %j", (path, expected) => {
    expect(expandVars(path, { X: "1" })).toBe(expected);
  });
});
