/**
 * One fuzz exchange on a fresh connection: write the bytes (whole, in pieces, or only a part),
 * then wait, half-close or abort, and read the server's answer. Every exchange is bounded: no answer and no
 * close within the deadline is a hang, which the suite reports as a failure.
 */
import { connect } from "node:net";
import type { Endpoint } from "./fuzz-sign.js";

export interface Answer {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
  /** The connection closed before the body's declared length arrived. */
  truncated: boolean;
}

export type Outcome =
  | { kind: "answered"; answer: Answer }
  /** The server closed the connection without an answer. */
  | { kind: "closed" }
  /** The client aborted on purpose: nothing to expect. */
  | { kind: "aborted" }
  | { kind: "hang"; received: string };

export interface SendPlan {
  /** Writes the bytes in this many pieces (1: at once). */
  pieces: number;
  /** Only this many bytes go. */
  upTo?: number;
  /**
   * After writing: wait with the connection open (a client that expects its answer), half-close
   * it (node takes a client's FIN as an abort of what it has not answered yet), or abort.
   */
  then: "wait" | "half-close" | "abort";
  /** The request is a HEAD: its answer has no body. */
  head?: boolean;
}

function parseHead(data: Buffer): { status: number; headers: Record<string, string>; length: number } | undefined {
  const end = data.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const [statusLine, ...lines] = data.subarray(0, end).toString("latin1").split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? "")?.[1] ?? "0"), headers, length: end + 4 };
}

export function exchange(endpoint: Endpoint, bytes: Buffer, plan: SendPlan, deadlineMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(endpoint.port, endpoint.host);
    let data = Buffer.alloc(0);
    let settled = false;
    let final: { status: number; headers: Record<string, string>; length: number } | undefined;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      socket.destroy();
      resolve(outcome);
    };
    const deadline = setTimeout(() => settle({ kind: "hang", received: data.subarray(0, 200).toString("latin1") }), deadlineMs);
    const answered = (truncated: boolean) => {
      const f = final!;
      const declared = Number(f.headers["content-length"] ?? "0");
      const body = data.subarray(f.length, f.length + declared).toString("utf8");
      settle({ kind: "answered", answer: { status: f.status, headers: f.headers, body, truncated } });
    };
    socket.on("data", (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      for (;;) {
        if (final === undefined) {
          const parsed = parseHead(data);
          if (parsed === undefined) return;
          // 100 Continue and other interim answers: the final one follows.
          if (parsed.status >= 100 && parsed.status < 200) {
            data = data.subarray(parsed.length);
            continue;
          }
          final = parsed;
        }
        // A success's body is not looked at; an error's envelope is.
        const bodiless = plan.head || final.status < 300 || final.status === 304;
        if (bodiless || data.length >= final.length + Number(final.headers["content-length"] ?? "0")) answered(false);
        return;
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      if (final !== undefined) answered(true);
      else settle({ kind: "closed" });
    });
    socket.on("connect", async () => {
      const sending = plan.upTo === undefined ? bytes : bytes.subarray(0, plan.upTo);
      const size = Math.max(1, Math.ceil(sending.length / plan.pieces));
      for (let at = 0; at < sending.length && !socket.destroyed; at += size) {
        socket.write(sending.subarray(at, at + size));
        // Let each piece go in its own segment.
        if (plan.pieces > 1) await new Promise((r) => setImmediate(r));
      }
      if (plan.then === "abort") settle({ kind: "aborted" });
      else if (plan.then === "half-close" && !socket.destroyed) socket.end();
    });
  });
}
