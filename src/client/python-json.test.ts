import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pythonJsonDumps, type PythonJson } from "./python-json.js";

/** Python's own json.dumps of each value (one process for the lot). */
function pythonDumps(values: readonly PythonJson[], sortKeys: boolean): string[] {
  const script = `import json, sys\nfor v in json.load(sys.stdin):\n    print(json.dumps(v, sort_keys=${sortKeys ? "True" : "False"}))`;
  const r = spawnSync("python3", ["-c", script], { input: JSON.stringify(values), encoding: "utf8" });
  expect(r.stderr).toBe("");
  return r.stdout.split("\n").slice(0, -1);
}

describe("pythonJsonDumps", () => {
  it("Python's separators, escapes and lower-case \\u escapes", () => {
    expect(pythonJsonDumps({ b: 1, a: [true, false, null, "x"] })).toBe('{"b": 1, "a": [true, false, null, "x"]}');
    expect(pythonJsonDumps({ b: 1, a: {} }, { sortKeys: true })).toBe('{"a": {}, "b": 1}');
    expect(pythonJsonDumps('q"b\\s/\n\r\t\b\f\u0001\u007f é € 😀')).toBe(
      '"q\\"b\\\\s/\\n\\r\\t\\b\\f\\u0001\\u007f \\u00e9 \\u20ac \\ud83d\\ude00"',
    );
    expect(pythonJsonDumps([])).toBe("[]");
  });

  it("sort_keys orders by code point (an astral key after U+FFFF-range ones)", () => {
    const value = { "\uffff": 1, "😀": 2, a: 3, B: 4 };
    expect(pythonJsonDumps(value, { sortKeys: true })).toBe(pythonDumps([value], true)[0]);
  });

  it("equals json.dumps for arbitrary values, sorted or not", () => {
    const json: fc.Arbitrary<PythonJson> = fc.letrec<{ value: PythonJson }>((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.string({ unit: "binary" }),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(fc.string({ unit: "binary", maxLength: 6 }), tie("value"), { maxKeys: 4 }),
      ),
    })).value;
    // "binary" strings: any code point, most of them astral (surrogate pairs in JavaScript).
    const values = fc.sample(json, { numRuns: 300, seed: 14 });
    for (const sortKeys of [false, true]) {
      const expected = pythonDumps(values, sortKeys);
      expect(values.map((v) => pythonJsonDumps(v, { sortKeys }))).toEqual(expected);
    }
  });
});
