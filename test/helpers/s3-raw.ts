/**
 * S3 requests signed by AWS's own signer (@smithy/signature-v4, S3's rules: path as sent,
 * x-amz-content-sha256) and sent over a raw socket, for what no SDK lets a test control: when
 * the body goes (after `100 Continue`, at a slow pace, never), headers added after signing,
 * bodies past limits. The exchange records every interim response and whether the server closed
 * the connection after its answer.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import type { HttpRequest } from "@smithy/types";
import { createHash } from "node:crypto";
import { connect } from "node:net";
import type { Credentials } from "./server.js";

export const sha256Hex = (data: Buffer | string): string => createHash("sha256").update(data).digest("hex");

/** RFC 3986 encoding, as SigV4 canonicalizes query strings. */
const encode = (text: string): string => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface S3RawRequest {
  method: string;
  /** The path as it goes on the wire (already percent-encoded). */
  path: string;
  query?: Record<string, string>;
  /** Signed headers (besides host and the x-amz-* ones the signer adds). */
  headers?: Record<string, string>;
  /** The body the signature promises; its length is the Content-Length unless `unsignedHeaders` say otherwise. */
  body?: Buffer;
  /** x-amz-content-sha256 (default: the body's SHA-256). */
  payloadHash?: string;
  /** Added after signing (not covered by the signature). */
  unsignedHeaders?: Record<string, string>;
  signingDate?: Date;
}

/** The request head (request line, headers, blank line), signed for `port`. */
export async function signedHead(port: number, creds: Credentials, request: S3RawRequest): Promise<string> {
  const body = request.body ?? Buffer.alloc(0);
  const host = `127.0.0.1:${port}`;
  const signer = new SignatureV4({ credentials: creds, region: "us-east-1", service: "s3", sha256: Sha256, uriEscapePath: false, applyChecksum: false });
  const unsigned: HttpRequest = {
    method: request.method,
    protocol: "http:",
    hostname: "127.0.0.1",
    port,
    path: request.path,
    query: request.query ?? {},
    headers: {
      host,
      "x-amz-content-sha256": request.payloadHash ?? sha256Hex(body),
      ...(request.unsignedHeaders?.["Transfer-Encoding"] === undefined ? { "content-length": String(body.length) } : {}),
      ...request.headers,
    },
  };
  const signed = await signer.sign(unsigned, { signingDate: request.signingDate });
  const query = Object.entries(request.query ?? {})
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .join("&");
  const lines = [`${request.method} ${request.path}${query ? `?${query}` : ""} HTTP/1.1`];
  for (const [name, value] of Object.entries({ ...signed.headers, ...request.unsignedHeaders })) lines.push(`${name}: ${value}`);
  return `${lines.join("\r\n")}\r\n\r\n`;
}

export interface RawResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
}

export interface Exchange extends RawResponse {
  /** Status lines of the 1xx responses before the final one. */
  interim: string[];
  /** Whether the server closed the connection after its answer (looked for only when it said `Connection: close`). */
  closed: boolean;
  /** Body bytes written before the answer came. */
  sent: number;
}

export interface SendPlan {
  /** Body pieces, written in order. */
  pieces?: Buffer[];
  /** Pause after each piece (ms). */
  pauseMs?: number;
  /** Write the body only once `100 Continue` came (as botocore does), never if the answer comes first. */
  waitForContinue?: boolean;
  /** Write the body only up to here, then fall silent. */
  stopAfter?: number;
}

interface Parsed {
  status: number;
  headers: Record<string, string>;
  headLength: number;
}

function parseHead(data: Buffer): Parsed | undefined {
  const end = data.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const [statusLine, ...lines] = data.subarray(0, end).toString("latin1").split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) headers[line.slice(0, line.indexOf(":")).toLowerCase()] = line.slice(line.indexOf(":") + 1).trim();
  return { status: Number(statusLine!.split(" ")[1]), headers, headLength: end + 4 };
}

/**
 * Sends `head`, then the body as `plan` says, and reads the answer. Bounded: fails after 10 s;
 * after an answer with `Connection: close` waits up to 1 s to see the server close the connection.
 */
export function exchange(port: number, head: string, plan: SendPlan = {}): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = Buffer.alloc(0);
    const interim: string[] = [];
    let final: RawResponse | undefined;
    let sent = 0;
    let bodyStarted = false;
    const fail = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within 10 s; got ${JSON.stringify(data.toString("latin1").slice(0, 300))}`));
    }, 10_000);
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(fail);
      socket.destroy();
      resolve({ ...final!, interim, closed, sent });
    };
    const writeBody = async () => {
      if (bodyStarted) return;
      bodyStarted = true;
      for (const piece of plan.pieces ?? []) {
        if (final !== undefined || socket.destroyed) return;
        const take = plan.stopAfter === undefined ? piece : piece.subarray(0, Math.max(0, plan.stopAfter - sent));
        if (take.length > 0) {
          sent += take.length;
          socket.write(take);
        }
        if (plan.stopAfter !== undefined && sent >= plan.stopAfter) return;
        if (plan.pauseMs) await new Promise((r) => setTimeout(r, plan.pauseMs));
      }
    };
    socket.on("data", (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      for (;;) {
        if (final !== undefined) return;
        const parsed = parseHead(data);
        if (parsed === undefined) return;
        if (parsed.status >= 100 && parsed.status < 200) {
          interim.push(data.subarray(0, data.indexOf("\r\n")).toString("latin1"));
          data = data.subarray(parsed.headLength);
          if (plan.waitForContinue && parsed.status === 100) void writeBody();
          continue;
        }
        const length = Number(parsed.headers["content-length"] ?? "0");
        if (data.length < parsed.headLength + length) return;
        final = { status: parsed.status, headers: parsed.headers, body: data.subarray(parsed.headLength, parsed.headLength + length).toString("utf8") };
        // A server that says it closes: see that it does (within a second). Otherwise it keeps the connection.
        if (parsed.headers.connection === "close") setTimeout(() => finish(false), 1000);
        else finish(false);
      }
    });
    socket.on("end", () => (final !== undefined ? finish(true) : undefined));
    socket.on("close", () => (final !== undefined ? finish(true) : undefined));
    // Writing a body the server no longer reads can fail (EPIPE, ECONNRESET): the answer is what counts.
    socket.on("error", (e) => {
      if (final === undefined && data.length === 0 && !bodyStarted) {
        clearTimeout(fail);
        reject(e);
      }
    });
    socket.on("connect", () => {
      socket.write(head);
      if (!plan.waitForContinue) void writeBody();
    });
  });
}

/** Signs and sends in one step. */
export async function s3Exchange(port: number, creds: Credentials, request: S3RawRequest, plan: SendPlan = {}): Promise<Exchange> {
  const head = await signedHead(port, creds, request);
  return exchange(port, head, { pieces: request.body ? [request.body] : [], ...plan });
}

/** `<Code>` and `<Message>` of an S3 error body. */
export function s3Error(res: RawResponse): { status: number; code: string; message: string } {
  return {
    status: res.status,
    code: /<Code>([^<]*)<\/Code>/.exec(res.body)?.[1] ?? "",
    message: /<Message>([^<]*)<\/Message>/.exec(res.body)?.[1] ?? "",
  };
}
