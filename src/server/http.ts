/**
 * The node:http adapter: turns sockets into WireRequests for the app and its WireResponses
 * back into bytes. It owns the limits no operation should have to think about: body size,
 * slow clients, malformed HTTP.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { pipeline } from "node:stream";
import { AwsError, Errors } from "../errors.js";
import { errorDocument } from "../protocol/envelope.js";
import { STS } from "../protocol/operation.js";
import { streamsBody } from "../s3/target.js";
import type { WireRequest } from "../sigv4/types.js";
import { xmlResponse, type App, type WireResponse } from "./app.js";
import type { Deps } from "../deps.js";

/**
 * Query requests are small; 1 MiB is far above any real one. S3 object uploads are the exception:
 * their bodies are not read here but streamed to the operation (never a whole object in memory).
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/** An error envelope for failures outside the app (before a request reaches it). */
function adapterError(error: AwsError, deps: AdapterDeps): WireResponse {
  const requestId = deps.random.uuid();
  return xmlResponse(error.status, requestId, errorDocument(STS, error, requestId), deps.clock.now());
}

type AdapterDeps = Pick<Deps, "logger" | "clock" | "random">;

const EMPTY = Buffer.alloc(0);

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > limit) {
      resolve("too-large");
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        resolve("too-large");
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks, size)));
    req.on("error", reject);
  });
}

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

export function createHttpServer(app: App, deps: AdapterDeps): Server {
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

  const server = createServer(async (req, res) => {
    try {
      if (req.url === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
        res.writeHead(200, { "Content-Type": "text/plain" });
        res.end("ok\n");
        return;
      }
      const head = toWireRequest(req, EMPTY);
      if (streamsBody(head)) {
        send(res, await app(toWireRequest(req, EMPTY, req)));
        return;
      }
      const body = await readBody(req, MAX_BODY_BYTES);
      if (body === "too-large") {
        res.setHeader("Connection", "close");
        send(res, adapterError(Errors.requestTooLarge(MAX_BODY_BYTES), deps));
        return;
      }
      send(res, await app(toWireRequest(req, body)));
    } catch (e) {
      deps.logger.error({ err: e }, "request failed outside the app");
      if (!res.headersSent) send(res, adapterError(Errors.internalFailure(), deps));
      else res.destroy();
    }
  });
  // Slow or stuck clients must not hold sockets forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    // Malformed HTTP (bad header bytes, bad request line): node's parser refuses it before the
    // app sees it. UNCONFIRMED: AWS's edge answers these with its own 400; we keep the envelope.
    if (err.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const response = adapterError(new AwsError("MalformedHTTPRequest", 400, "The HTTP request is malformed."), deps);
    const head = [`HTTP/1.1 ${response.status} Bad Request`, ...Object.entries(response.headers).map(([k, v]) => `${k}: ${v}`), "Connection: close"];
    socket.end(`${head.join("\r\n")}\r\n\r\n${response.body}`);
  });
  return server;
}
