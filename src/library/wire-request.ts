/**
 * A request as another service's HTTP handler has it — node's `req.method`, `req.url`,
 * `req.headers` (or a fetch `Headers`, or `[name, value]` pairs) and the body it read — turned into
 * the raw WireRequest SigV4 verification works on.
 */
import type { WireRequest } from "../sigv4/types.js";

/** Header values as node:http (`IncomingHttpHeaders`) or the fetch API (`Headers`) present them. */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>> | Iterable<readonly [string, string]>;

/** The parts of an HTTP request that were signed. */
export interface VerifiableRequest {
  /** `GET`, `POST`, … */
  method: string;
  /** The request target as received: path and query (`/orders?id=7`); an absolute URL also works. */
  url: string;
  headers: RequestHeaders;
  /** The whole body as received (a string is taken as UTF-8); none for an empty body. */
  body?: Uint8Array | string;
}

const EMPTY = new Uint8Array(0);

function headerPairs(headers: RequestHeaders): [string, string][] {
  const pairs: [string, string][] = [];
  if (Symbol.iterator in headers) {
    for (const [name, value] of headers as Iterable<readonly [string, string]>) pairs.push([name, value]);
    return pairs;
  }
  for (const [name, value] of Object.entries(headers as Record<string, string | readonly string[] | undefined>)) {
    if (value === undefined) continue;
    // A repeated header stays repeated: the SigV4 parser joins the occurrences as AWS does.
    if (typeof value === "string") pairs.push([name, value]);
    else for (const one of value) pairs.push([name, one]);
  }
  return pairs;
}

function target(url: string): { rawPath: string; rawQuery: string } {
  // An absolute URL: what follows the authority is the target (kept as written, not normalized).
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url);
  const rest = absolute ? url.slice(absolute[0].length) || "/" : url;
  const withoutFragment = rest.split("#", 1)[0]!;
  const q = withoutFragment.indexOf("?");
  return q === -1 ? { rawPath: withoutFragment, rawQuery: "" } : { rawPath: withoutFragment.slice(0, q), rawQuery: withoutFragment.slice(q + 1) };
}

export function toWireRequest(request: VerifiableRequest): WireRequest {
  const body = request.body === undefined ? EMPTY : typeof request.body === "string" ? Buffer.from(request.body, "utf8") : request.body;
  return { method: request.method, ...target(request.url), headers: headerPairs(request.headers), body };
}
