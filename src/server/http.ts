/**
 * The node:http adapter (node:https, the same in every other way, when given a certificate):
 * turns sockets into WireRequests for the app and its WireResponses back into bytes. It owns the
 * limits no operation should have to think about: body size, slow clients, malformed HTTP.
 *
 * Bodies go two ways. S3's (any S3 request with a body) are handed to the app as a stream it
 * pulls after authenticating the request: object uploads are never whole in memory, are cut only
 * by silence (never by their length in time), and `Expect: 100-continue` is answered only when
 * the operation asks for the bytes. Every other body (Query forms) is small and read whole here
 * first, within a size limit and a deadline.
 */
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";
import { pipeline } from "node:stream";
import { AwsError, Errors } from "../errors.js";
import { answerAdmin, isAdminRequest, type AdminEndpoints } from "../metrics/admin-endpoints.js";
import { errorDocument } from "../protocol/envelope.js";
import { STS } from "../protocol/operation.js";
import { BodyAborted } from "../s3/body.js";
import { isS3Shaped } from "../s3/target.js";
import type { WireRequest } from "../sigv4/types.js";
import { xmlResponse, type App, type WireResponse } from "./app.js";
import { clientErrorBytes, queryRequestTimeout } from "./client-errors.js";
import { hasBody, readBufferedBody, streamedBody } from "./request-body.js";
import type { Deps } from "../deps.js";

/**
 * Query requests are small; 1 MiB is far above any real one. S3's bodies are not read here: the
 * S3 app streams object uploads and limits its XML bodies itself (s3/body.ts).
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The largest request head (request line and headers) node's parser accepts: node's default,
 * set here so that it is a decision (README "HTTP limits"); past it, 400 and the connection closed.
 */
export const MAX_HEADER_BYTES = 16 * 1024;

/** How long the server waits for a client (all in ms). */
export interface HttpTimeouts {
  /**
   * For a request's head (request line and headers) to arrive whole, however it trickles in; with
   * TLS also for the handshake. Then 400 RequestTimeout and the connection closed.
   */
  headersMs: number;
  /** Silence while a body is being read: then S3's RequestTimeout, the connection closed. */
  bodyIdleMs: number;
  /** For a whole Query body (S3's streamed bodies have no such limit). */
  bufferedBodyMs: number;
  /** For the next request on a kept-alive connection. */
  keepAliveMs: number;
}

/** AWS closes an S3 connection idle for about 20 s; the rest as this server always had them. */
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 15_000, bodyIdleMs: 20_000, bufferedBodyMs: 30_000, keepAliveMs: 5_000 };

type AdapterDeps = Pick<Deps, "logger" | "clock" | "random">;

/**
 * The operator's endpoints on this port: /healthz and /metrics, /healthz alone (a server without
 * metrics), or neither (`--admin-port` serves them elsewhere).
 */
export type AdminOnPort = AdminEndpoints | "healthz-only" | "elsewhere";

/** An error envelope for failures outside the app (before a request reaches it). */
function adapterError(error: AwsError, deps: AdapterDeps): WireResponse {
  const requestId = deps.random.uuid();
  return xmlResponse(error.status, requestId, errorDocument(STS, error, requestId), deps.clock.now());
}

const EMPTY = Buffer.alloc(0);

function toWireRequest(req: IncomingMessage, body: Buffer, stream?: AsyncIterable<Uint8Array>): WireRequest {
  const target = req.url ?? "/";
  const q = target.indexOf("?");
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
  return {
    method: req.method ?? "GET",
    rawPath: q === -1 ? target : target.slice(0, q),
    rawQuery: q === -1 ? "" : target.slice(q + 1),
    headers,
    body,
    remoteAddress: req.socket.remoteAddress,
    secure: "encrypted" in req.socket,
    stream,
  };
}

/** A PEM certificate (chain) and its private key: the adapter then speaks HTTPS (node:https). */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

export function createHttpServer(
  app: App,
  deps: AdapterDeps,
  timeouts: Partial<HttpTimeouts> = {},
  tls?: TlsMaterial,
  admin: AdminOnPort = "healthz-only",
): Server {
  const limits: HttpTimeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...timeouts };
  /** The request each socket is reading, while it is being read: node's parse errors then speak its service. */
  const reading = new WeakMap<Socket, WireRequest>();
  /** The answer each socket is busy with: once it has begun, a parse error can only cut the connection. */
  const answering = new WeakMap<Socket, ServerResponse>();

  function send(res: ServerResponse, response: WireResponse): void {
    // While shutting down, tell the client this connection will not be reused, so the process
    // exits as soon as in-flight requests are answered (not when keep-alive expires).
    if (!server.listening) res.setHeader("Connection", "close");
    res.writeHead(response.status, response.headers);
    const { body } = response;
    if (typeof body === "string" || Buffer.isBuffer(body)) {
      res.end(body);
      return;
    }
    // A streamed body (an S3 object): a read error mid-way can only cut the connection, and a
    // client that goes away must not leave the file open (pipeline destroys both ends).
    pipeline(body, res, (err) => {
      if (err && (err as NodeJS.ErrnoException).code !== "ERR_STREAM_PREMATURE_CLOSE") deps.logger.error({ err }, "response stream failed");
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): Promise<void> {
    answering.set(req.socket, res);
    try {
      const endpoints = typeof admin === "string" ? undefined : admin;
      if (admin !== "elsewhere" && isAdminRequest(req, endpoints !== undefined)) {
        await answerAdmin(req, res, endpoints);
        return;
      }
      const head = toWireRequest(req, EMPTY);
      if (hasBody(req) && isS3Shaped(head)) {
        reading.set(req.socket, head);
        const response = await app(toWireRequest(req, EMPTY, streamedBody(req, res, { idleMs: limits.bodyIdleMs, expectsContinue })));
        reading.delete(req.socket);
        // node's parser refused the rest of the request (broken framing) and the adapter answered.
        if (req.socket.writableEnded || req.socket.destroyed) return;
        // Answered before its body was all read (refused, or the client fell silent): the rest
        // of it would be taken for the next request, so this connection ends with the answer.
        if (!req.complete) res.setHeader("Connection", "close");
        send(res, response);
        return;
      }
      // A Query body is read whole before anything can be checked: only its size can refuse it.
      if (expectsContinue && hasBody(req) && Number(req.headers["content-length"] ?? "0") <= MAX_BODY_BYTES) res.writeContinue();
      reading.set(req.socket, head);
      const body = await readBufferedBody(req, MAX_BODY_BYTES, { idleMs: limits.bodyIdleMs, bufferedMs: limits.bufferedBodyMs });
      reading.delete(req.socket);
      if (body === "too-large" || body === "timeout") {
        res.setHeader("Connection", "close");
        send(res, adapterError(body === "too-large" ? Errors.requestTooLarge(MAX_BODY_BYTES) : queryRequestTimeout(), deps));
        return;
      }
      send(res, await app(toWireRequest(req, body)));
    } catch (e) {
      reading.delete(req.socket);
      // The client went away mid-body: there is no one to answer.
      if (e instanceof BodyAborted) {
        if (!req.socket.writableEnded) res.destroy();
        return;
      }
      deps.logger.error({ err: e }, "request failed outside the app");
      if (!res.headersSent) send(res, adapterError(Errors.internalFailure(), deps));
      else res.destroy();
    }
  }

  const options: ServerOptions = {
    // No deadline for a whole request: S3 uploads take as long as they take. Slow heads are cut
    // by headersTimeout, silent bodies and slow Query bodies by request-body.ts.
    requestTimeout: 0,
    headersTimeout: limits.headersMs,
    keepAliveTimeout: limits.keepAliveMs,
    maxHeaderSize: MAX_HEADER_BYTES,
    // node would refuse a request without Host with a bare 400 of its own; the app refuses it in
    // the service's envelope instead (SigV4 signs Host, so such a request cannot authenticate).
    requireHostHeader: false,
    // How often node looks for heads past their time (its default, 30 s, would triple 15 s).
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(limits.headersMs / 2))),
  };
  const listener = (req: IncomingMessage, res: ServerResponse) => void handle(req, res, false);
  // HTTPS is the same adapter over node:https: every limit above holds for it too, and a client
  // that never completes its handshake is cut as one that never completes its head would be.
  const server: Server = tls
    ? createHttpsServer({ ...options, cert: tls.cert, key: tls.key, handshakeTimeout: limits.headersMs }, listener)
    : createServer(options, listener);
  // With a listener, node leaves `Expect: 100-continue` to us (request-body.ts answers it).
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => void handle(req, res, true));
  // Any other expectation node would refuse with a bare 417 of its own; RFC 9110 lets a server
  // ignore it instead (§10.1.1 "MAY respond with a 417"), and the request is then answered as it is.
  server.on("checkExpectation", (req: IncomingMessage, res: ServerResponse) => void handle(req, res, false));
  server.on("clientError", (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
    // Malformed HTTP (bad header bytes, bad request line, a head too large or too slow, broken
    // chunked framing): node's parser refuses it before the app sees it, or mid-body. Once an
    // answer has begun, or the peer is gone, there is nothing to say. Only the parser's errors
    // (HPE_*, ERR_HTTP_*) get an HTTP answer: node:https reports failed TLS handshakes (plain
    // HTTP sent to it, a handshake past its timeout) here too, and bytes written to a socket
    // without a TLS session would wait for one for ever, holding the connection open.
    const response = answering.get(socket);
    const httpError = err.code !== undefined && (err.code.startsWith("HPE_") || err.code.startsWith("ERR_HTTP_"));
    if (!httpError || !socket.writable || (response?.headersSent === true && !response.writableFinished)) {
      socket.destroy();
      return;
    }
    socket.end(clientErrorBytes(err, reading.get(socket), deps));
  });
  return server;
}
