/**
 * A small strict JSON (RFC 8259) reader for policy documents. JSON.parse cannot be used because
 * IAM needs two things it throws away:
 *  - where each object starts and ends in the text (the simulator reports statement positions,
 *    spec §7.4), and
 *  - whether a key appears twice in one object ("an element must not appear twice", spec §1.1;
 *    JSON.parse silently keeps the last one).
 * Numbers keep their text as written: condition values such as 3600 become the string "3600".
 * Any error, duplicate key or over-deep nesting gives `undefined`: IAM answers all of them with
 * the same "Syntax errors in policy.", so no reason is needed.
 */

export type JsonNode = JsonObject | JsonArray | JsonString | JsonNumber | JsonBoolean | JsonNull;

export interface JsonObject {
  readonly kind: "object";
  /** Keys in document order; unique, because a repeated key fails the whole read. */
  readonly members: ReadonlyMap<string, JsonNode>;
  /** Offsets (UTF-16 code units) of the opening `{` and the matching `}`. */
  readonly open: number;
  readonly close: number;
}
export interface JsonArray {
  readonly kind: "array";
  readonly items: readonly JsonNode[];
}
export interface JsonString {
  readonly kind: "string";
  readonly value: string;
}
export interface JsonNumber {
  readonly kind: "number";
  /** The number exactly as written, e.g. "3600" or "1.50". */
  readonly text: string;
}
export interface JsonBoolean {
  readonly kind: "boolean";
  readonly value: boolean;
}
export interface JsonNull {
  readonly kind: "null";
}

/**
 * A valid policy nests at most seven levels (document, Statement array, statement, Condition,
 * operator, key, value list). Anything much deeper is invalid anyway, and a limit keeps a
 * 128 KiB run of `[` from exhausting the stack.
 */
const MAX_DEPTH = 32;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

class Invalid extends Error {}

export function readJson(text: string): JsonNode | undefined {
  let at = 0;

  const fail = (): never => {
    throw new Invalid();
  };

  const skipWhitespace = (): void => {
    for (;;) {
      const c = text.charCodeAt(at);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) at++;
      else return;
    }
  };

  const expect = (word: string): void => {
    if (!text.startsWith(word, at)) fail();
    at += word.length;
  };

  const readString = (): string => {
    at++; // opening quote
    let out = "";
    let runStart = at;
    for (;;) {
      const c = text.charCodeAt(at);
      if (Number.isNaN(c) || c < 0x20) fail(); // end of text, or a raw control character
      if (c === 0x22) {
        out += text.slice(runStart, at);
        at++;
        return out;
      }
      if (c === 0x5c) {
        out += text.slice(runStart, at);
        const e = text[at + 1];
        if (e === "u") {
          const hex = text.slice(at + 2, at + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail();
          out += String.fromCharCode(parseInt(hex, 16));
          at += 6;
        } else {
          const decoded = e === undefined ? undefined : ESCAPES[e];
          if (decoded === undefined) fail();
          out += decoded;
          at += 2;
        }
        runStart = at;
        continue;
      }
      at++;
    }
  };

  const readValue = (depth: number): JsonNode => {
    if (depth > MAX_DEPTH) fail();
    skipWhitespace();
    const c = text[at];
    switch (c) {
      case "{": {
        const open = at++;
        const members = new Map<string, JsonNode>();
        skipWhitespace();
        if (text[at] === "}") return { kind: "object", members, open, close: at++ };
        for (;;) {
          skipWhitespace();
          if (text[at] !== '"') fail();
          const key = readString();
          if (members.has(key)) fail();
          skipWhitespace();
          expect(":");
          members.set(key, readValue(depth + 1));
          skipWhitespace();
          if (text[at] === ",") {
            at++;
            continue;
          }
          if (text[at] !== "}") fail();
          return { kind: "object", members, open, close: at++ };
        }
      }
      case "[": {
        at++;
        const items: JsonNode[] = [];
        skipWhitespace();
        if (text[at] === "]") {
          at++;
          return { kind: "array", items };
        }
        for (;;) {
          items.push(readValue(depth + 1));
          skipWhitespace();
          if (text[at] === ",") {
            at++;
            continue;
          }
          if (text[at] !== "]") fail();
          at++;
          return { kind: "array", items };
        }
      }
      case '"':
        return { kind: "string", value: readString() };
      case "t":
        expect("true");
        return { kind: "boolean", value: true };
      case "f":
        expect("false");
        return { kind: "boolean", value: false };
      case "n":
        expect("null");
        return { kind: "null" };
      default: {
        NUMBER.lastIndex = at;
        const m = NUMBER.exec(text);
        if (m === null) return fail();
        at += m[0].length;
        return { kind: "number", text: m[0] };
      }
    }
  };

  try {
    const root = readValue(0);
    skipWhitespace();
    return at === text.length ? root : undefined;
  } catch (e) {
    if (e instanceof Invalid) return undefined;
    throw e;
  }
}
