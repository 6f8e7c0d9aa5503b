/**
 * AWS Query protocol request parameters: the form body of a POST and the query string, decoded
 * the way AWS decodes them (`+` is a space, %XX is a byte, the bytes must be UTF-8). Anything
 * that is not a well-formed, unambiguous parameter list is refused with an AWS-style 4xx.
 */
import { Errors } from "../errors.js";
import type { WireRequest } from "../sigv4/types.js";

export type QueryParams = ReadonlyMap<string, string>;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes one form-urlencoded component; throws MalformedQueryString on bad escapes or bytes. */
export function decodeFormComponent(text: string): string {
  // Fast path: nothing to decode (the usual case for names and most values).
  if (!/[%+]/.test(text)) {
    if (text.isWellFormed()) return text;
    throw Errors.malformedQueryString();
  }
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 /* % */) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw Errors.malformedQueryString();
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c === 0x2b /* + */) {
      bytes.push(0x20);
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      // Raw non-ASCII in the query or body: take its UTF-8 bytes as sent.
      const cp = text.codePointAt(i)!;
      if (cp > 0xffff) i++;
      bytes.push(...Buffer.from(String.fromCodePoint(cp), "utf8"));
    }
  }
  try {
    return utf8.decode(new Uint8Array(bytes));
  } catch {
    throw Errors.malformedQueryString();
  }
}

function addPairs(into: Map<string, string>, text: string): void {
  if (text === "") return;
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = decodeFormComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? "" : decodeFormComponent(pair.slice(eq + 1));
    // A parameter given twice is ambiguous: AWS would have to pick one. Refuse instead.
    if (into.has(name)) throw Errors.invalidQueryParameter();
    into.set(name, value);
  }
}

function isFormBody(req: WireRequest): boolean {
  const type = headerValue(req, "content-type");
  return type === undefined || /^application\/x-www-form-urlencoded\b/i.test(type.trim());
}

/** First value of a header (case-insensitive), or undefined. */
export function headerValue(req: WireRequest, lowerName: string): string | undefined {
  for (const [name, value] of req.headers) if (name.toLowerCase() === lowerName) return value;
  return undefined;
}

/**
 * node hands over the request target one character per byte (latin1). Raw bytes above 0x7F in
 * a query are not valid HTTP, but if they come they must be UTF-8, as in a body.
 */
function queryText(rawQuery: string): string {
  if (!/[^\x00-\x7f]/.test(rawQuery)) return rawQuery;
  try {
    return utf8.decode(Buffer.from(rawQuery, "latin1"));
  } catch {
    throw Errors.malformedQueryString();
  }
}

/**
 * The request's parameters: the query string, plus the form body of a POST. The raw body has
 * to be text: the Query protocol's bodies are ASCII after form encoding.
 */
export function parseQueryParams(req: WireRequest): QueryParams {
  const params = new Map<string, string>();
  addPairs(params, queryText(req.rawQuery));
  if (req.method === "POST" && req.body.length > 0 && isFormBody(req)) {
    let body: string;
    try {
      body = utf8.decode(req.body);
    } catch {
      throw Errors.malformedQueryString();
    }
    addPairs(params, body);
  }
  return params;
}
