/**
 * Python's `json.loads` as jmespath's lexer uses it for `literals` and "quoted identifiers":
 * JSON.parse, plus Python's NaN / Infinity, plus json's own error texts for strings (the lexer
 * prints them for a bad quoted identifier: `Invalid \escape`, `Invalid control character at`).
 */

export class JsonDecodeError extends Error {}

const PY_CONSTANTS: { [word: string]: number } = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };

export function pyJsonLoads(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const trimmed = text.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, "");
    if (Object.hasOwn(PY_CONSTANTS, trimmed)) return PY_CONSTANTS[trimmed];
    if (trimmed.startsWith('"')) scanString(trimmed);
    throw new JsonDecodeError("Expecting value: line 1 column 1 (char 0)");
  }
}

/** Walks a JSON string the way CPython's scanstring does, to raise its message. */
function scanString(text: string): void {
  const where = (i: number) => `: line 1 column ${i + 1} (char ${i})`;
  let i = 1;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '"') return;
    if (c.charCodeAt(0) < 0x20) throw new JsonDecodeError(`Invalid control character at${where(i)}`);
    if (c === "\\") {
      const e = text[i + 1];
      if (e === undefined) break;
      if (e === "u") {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new JsonDecodeError(`Invalid \\uXXXX escape${where(i + 1)}`);
        i += 6;
        continue;
      }
      if (!'"\\/bfnrt'.includes(e)) throw new JsonDecodeError(`Invalid \\escape${where(i)}`);
      i += 2;
      continue;
    }
    i++;
  }
  throw new JsonDecodeError(`Unterminated string starting at${where(0)}`);
}
