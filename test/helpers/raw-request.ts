/** Raw HTTP requests as the SigV4 vector files hold them, read into WireRequests for the verifier. */
import { parseSigV4, type SigV4Auth, type WireRequest } from "../../src/sigv4/index.js";

/**
 * Test-only raw HTTP/1.1 request parser: request line, headers, blank line, body. Accepts LF
 * or CRLF, a missing final blank line, a request target containing spaces (the vectors have
 * "GET /example space/ HTTP/1.1"), and obs-fold continuation lines, which it unfolds the way
 * RFC 9112 section 5.2 lets a recipient do: each fold becomes one space. (node's own parser
 * rejects obs-fold with 400, so a real server never sees one.) Header values are trimmed of
 * surrounding spaces/tabs, as node does.
 */
export function parseRawRequest(text: string): WireRequest {
  const sep = /\r?\n\r?\n/.exec(text);
  const head = sep ? text.slice(0, sep.index) : text.replace(/\r?\n$/, "");
  const body = sep ? text.slice(sep.index + sep[0].length) : "";
  const [requestLine, ...lines] = head.split(/\r?\n/);
  if (requestLine === undefined) throw new Error("empty request");
  const firstSpace = requestLine.indexOf(" ");
  const lastSpace = requestLine.lastIndexOf(" ");
  const target = requestLine.slice(firstSpace + 1, lastSpace);
  const q = target.indexOf("?");
  const headers: Array<[string, string]> = [];
  for (const line of lines) {
    const last = headers[headers.length - 1];
    if (/^[ \t]/.test(line) && last !== undefined) {
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    headers.push([line.slice(0, colon), line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "")]);
  }
  return {
    method: requestLine.slice(0, firstSpace),
    rawPath: q < 0 ? target : target.slice(0, q),
    rawQuery: q < 0 ? "" : target.slice(q + 1),
    headers,
    body: Buffer.from(body, "latin1"),
  };
}

export function parseOk(req: WireRequest): SigV4Auth {
  const result = parseSigV4(req);
  if (result.kind !== "ok") throw new Error(`expected ok, got ${JSON.stringify(result)}`);
  return result.auth;
}
