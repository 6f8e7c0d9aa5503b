/**
 * Reading a request's body off the socket, with the limits of time the adapter owns:
 *
 * - an idle limit for every body: a client that sends nothing for that long is cut off (S3's
 *   RequestTimeout: "not read from or written to within the timeout period");
 * - for the small bodies read whole before the app (Query forms), also a deadline for the whole
 *   body, so a trickle of bytes cannot hold a connection for ever;
 * - for S3's streamed bodies no deadline at all: a 5 GiB upload over a slow link may take hours,
 *   and only silence ends it.
 *
 * Streamed bodies are pulled by the operation; `Expect: 100-continue` is answered on the first
 * pull, so a request refused before its body is needed (signature, credentials, policy, no such
 * bucket) never has the client send it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyAborted, BodyIdleTimeout } from "../s3/body.js";

export interface BodyTimeouts {
  /** Silence that ends a body, in ms. */
  idleMs: number;
  /** Time for a whole buffered body, in ms (streamed bodies have none). */
  bufferedMs: number;
}

/** Does the request carry a body (a Content-Length above 0, or chunked)? */
export function hasBody(req: IncomingMessage): boolean {
  return req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? "0") > 0;
}

/**
 * The next piece of the body; BodyIdleTimeout when none came within `idleMs`, or `deadline`'s
 * error when it fires first; BodyAborted when the connection broke.
 */
function nextPiece(pieces: AsyncIterator<Buffer>, idleMs: number, deadline?: Promise<never>): Promise<IteratorResult<Buffer>> {
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BodyIdleTimeout()), idleMs);
  });
  const next = pieces.next().catch((e: unknown) => {
    throw new BodyAborted(e);
  });
  return Promise.race(deadline ? [next, idle, deadline] : [next, idle]).finally(() => clearTimeout(timer));
}

/**
 * The body as a stream for the app to pull (S3). Abandoning it leaves the rest unread: the
 * adapter then closes the connection after its answer.
 */
export function streamedBody(req: IncomingMessage, res: ServerResponse, options: { idleMs: number; expectsContinue: boolean }): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      // Everything that could refuse the request without its body has passed: let it come.
      if (options.expectsContinue && !res.headersSent) res.writeContinue();
      const pieces = req[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      for (;;) {
        const piece = await nextPiece(pieces, options.idleMs);
        if (piece.done) return;
        yield piece.value;
      }
    },
  };
}

/** The whole body up to `limit` bytes, or why not. */
export async function readBufferedBody(req: IncomingMessage, limit: number, timeouts: BodyTimeouts): Promise<Buffer | "too-large" | "timeout"> {
  if (Number(req.headers["content-length"] ?? "0") > limit) return "too-large";
  if (!hasBody(req)) return Buffer.alloc(0);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BodyIdleTimeout()), timeouts.bufferedMs);
  });
  deadline.catch(() => {}); // fires only while a piece is awaited; otherwise nobody listens
  const pieces = req[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for (;;) {
      const piece = await nextPiece(pieces, timeouts.idleMs, deadline);
      if (piece.done) return Buffer.concat(chunks, size);
      size += piece.value.length;
      if (size > limit) return "too-large";
      chunks.push(piece.value);
    }
  } catch (e) {
    if (e instanceof BodyIdleTimeout) return "timeout";
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
