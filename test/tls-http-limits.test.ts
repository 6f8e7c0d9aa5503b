/**
 * The HTTP/1.1 limits README "HTTP limits" documents, on the adapter that serves both HTTP and
 * HTTPS, with short timeouts so nothing waits long (tls.test.ts checks the 15 s default over TLS
 * with `serve` itself): a head that trickles in is cut at the headers timeout however steadily
 * its bytes come, a connection that says nothing too; an idle kept-alive connection is closed
 * after the keep-alive timeout (node adds its 1 s grace); a head past 16 KiB is refused, one just
 * under it served. Every client here is bounded.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_HEADER_BYTES } from "../src/server/http.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

const HEADERS_MS = 400;
const KEEP_ALIVE_MS = 300;
/** http.ts checks for heads past their time every headersMs / 2 (at most 1 s). */
const CHECK_MS = HEADERS_MS / 2;
/** node keeps an idle kept-alive socket this much past keepAliveTimeout. */
const KEEP_ALIVE_GRACE_MS = 1000;
const SLACK_MS = 1000;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ http: { headersMs: HEADERS_MS, keepAliveMs: KEEP_ALIVE_MS } });
});
afterAll(async () => server?.close());

interface Seen {
  /** ms from connecting until the server closed. */
  closedAfterMs: number;
  /** Everything the server sent. */
  text: string;
}

/**
 * Connects, writes `pieces` one every `everyMs`, and waits for the server to close the
 * connection. Bounded: fails after 5 s.
 */
function client(pieces: string[], everyMs: number): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(server.port, "127.0.0.1");
    let text = "";
    let next = 0;
    const writer = setInterval(() => {
      if (next < pieces.length && socket.writable) socket.write(pieces[next++]!);
    }, everyMs);
    const bound = setTimeout(() => {
      socket.destroy();
      reject(new Error(`not closed within 5 s; got ${JSON.stringify(text.slice(0, 200))}`));
    }, 5000);
    socket.on("connect", () => {
      if (pieces.length > 0) socket.write(pieces[next++]!);
    });
    socket.on("data", (d: Buffer) => (text += d.toString("latin1")));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearInterval(writer);
      clearTimeout(bound);
      resolve({ closedAfterMs: Date.now() - started, text });
    });
  });
}

const statusLine = (text: string) => text.slice(0, text.indexOf("\r\n"));
const code = (text: string) => /<Code>([^<]*)<\/Code>/.exec(text)?.[1];

describe("slow and silent heads", () => {
  it("a head whose bytes keep coming, 20 ms apart, is cut at the headers timeout with RequestTimeout", async () => {
    const head = `POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ${"a".repeat(200)}`;
    const seen = await client([...head], 20);
    expect(statusLine(seen.text)).toBe("HTTP/1.1 400 Bad Request");
    expect(code(seen.text)).toBe("RequestTimeout");
    expect(seen.text).toContain("<ErrorResponse");
    expect(seen.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_MS - 50);
    expect(seen.closedAfterMs).toBeLessThanOrEqual(HEADERS_MS + CHECK_MS + SLACK_MS);
  });

  it("a connection that sends nothing is closed at the same timeout", async () => {
    const seen = await client([], 1000);
    expect(code(seen.text)).toBe("RequestTimeout");
    expect(seen.closedAfterMs).toBeLessThanOrEqual(HEADERS_MS + CHECK_MS + SLACK_MS);
  });
});

describe("keep-alive", () => {
  it("a kept-alive connection serves several requests, then is closed when idle past the keep-alive timeout", async () => {
    const request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    const seen = await client([request, request], 100);
    expect(seen.text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
    expect(seen.text).toContain("Keep-Alive: timeout=");
    // Closed after the second answer (sent at about 100 ms) and the idle time.
    expect(seen.closedAfterMs).toBeGreaterThanOrEqual(100 + KEEP_ALIVE_MS - 50);
    expect(seen.closedAfterMs).toBeLessThanOrEqual(100 + KEEP_ALIVE_MS + KEEP_ALIVE_GRACE_MS + SLACK_MS);
  });
});

describe("head size", () => {
  const headWith = (filler: number, line = "GET /healthz HTTP/1.1") => `${line}\r\nHost: x\r\nConnection: close\r\nX-Big: ${"a".repeat(filler)}\r\n\r\n`;
  /** Bytes of the head around the X-Big value. */
  const overhead = headWith(0).length;

  it(`a head just under ${MAX_HEADER_BYTES} bytes is served; one past it is refused with 400 and the connection closed`, async () => {
    const under = await client([headWith(MAX_HEADER_BYTES - overhead - 100)], 1000);
    expect(statusLine(under.text)).toBe("HTTP/1.1 200 OK");

    // A Query request (S3's answer to the same, RequestHeaderSectionTooLarge: s3-http-limits.test.ts).
    const over = await client([headWith(MAX_HEADER_BYTES + 1, "POST / HTTP/1.1")], 1000);
    expect(statusLine(over.text)).toBe("HTTP/1.1 400 Bad Request");
    expect(code(over.text)).toBe("MalformedHTTPRequest");
    expect(over.closedAfterMs).toBeLessThan(1000);
    const healthy = await fetch(`${server.url}/healthz`);
    expect(healthy.status).toBe(200);
  });
});
