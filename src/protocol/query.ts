/**
 * AWS Query protocol request parameters: the form body of a POST and the query string, decoded
 * the way AWS decodes them (`+` is a space, %XX is a byte, the bytes must be UTF-8). Anything
 * that is not a well-formed, unambiguous parameter list is refused with an AWS-style 4xx.
 */
import { Errors } from "../errors.js";
import type { WireRequest } from "../sigv4/types.js";
import { headerValue, percentDecode, splitQuery } from "../sigv4/uri.js";

export type QueryParams = ReadonlyMap<string, string>;

const utf8 = new TextDecoder("utf-8", { fatal: true });
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;
const NEEDS_DECODING = /[%+\u0080-\uffff]/;

/**
 * Decodes one form-urlencoded component of a wire string (one character per byte, as node
 * presents the request line; bodies are read the same way). Unlike the lenient decoding that
 * signature checking needs, parameters must be exact: a bad escape or bytes that are not UTF-8
 * are MalformedQueryString.
 */
export function decodeFormComponent(text: string): string {
  // Plain ASCII without escapes or '+' (most names and values) decodes to itself.
  if (!NEEDS_DECODING.test(text)) return text;
  if (BAD_ESCAPE.test(text)) throw Errors.malformedQueryString();
  try {
    return utf8.decode(percentDecode(text, true));
  } catch {
    throw Errors.malformedQueryString();
  }
}

function addPairs(into: Map<string, string>, wireText: string): void {
  for (const pair of splitQuery(wireText)) {
    const name = decodeFormComponent(pair.name);
    // A parameter given twice is ambiguous: AWS would have to pick one. Refuse instead.
    if (into.has(name)) throw Errors.invalidQueryParameter();
    into.set(name, decodeFormComponent(pair.value));
  }
}

function isFormBody(req: WireRequest): boolean {
  const type = headerValue(req, "content-type");
  return type === undefined || /^application\/x-www-form-urlencoded\b/i.test(type.trim());
}

/** The request's parameters: the query string, plus the form body of a POST. */
export function parseQueryParams(req: WireRequest): QueryParams {
  const params = new Map<string, string>();
  addPairs(params, req.rawQuery);
  if (req.method === "POST" && req.body.length > 0 && isFormBody(req)) {
    addPairs(params, Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength).toString("latin1"));
  }
  return params;
}
