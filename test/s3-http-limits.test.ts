/**
 * S3 over raw HTTP at the edges of time and size (issue 13's review): uploads are cut by silence,
 * never by their length in time, and a silent body gets S3's RequestTimeout; `Expect:
 * 100-continue` is answered only after signature, credentials, time, policy and bucket were
 * checked; XML bodies may pass 1 MiB (S3's own limit and MaxMessageLengthExceeded past it);
 * unsigned x-amz-* headers are refused in the header form too; what node's parser refuses is
 * answered in S3's envelope for S3's requests. The server runs with a 200 ms idle timeout so no
 * test waits long; every exchange is bounded (test/helpers/s3-raw.ts).
 */
import { createHash } from "node:crypto";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boto3, sdkClients } from "./helpers/clients.js";
import { createUserWithKey } from "./helpers/mfa.js";
import { exchange, s3Error, s3Exchange, signedHead, type Exchange } from "./helpers/s3-raw.js";
import { startTestServer, type Credentials, type TestServer } from "./helpers/server.js";

const IDLE_MS = 200;
const REQUEST_TIMEOUT =
  "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.";

let server: TestServer;
let denied: Credentials;
beforeAll(async () => {
  // Heads and Query bodies get 300 ms in all: an upload that takes longer must still go through.
  server = await startTestServer({ http: { bodyIdleMs: IDLE_MS, bufferedBodyMs: 300, headersMs: 300 } });
  denied = await createUserWithKey(sdkClients(server.url, server.root).iam, "no-s3-rights");
  expect((await s3Exchange(server.port, server.root, { method: "PUT", path: "/limits" })).status).toBe(200);
});
afterAll(async () => server?.close());

const md5 = (data: Buffer) => createHash("md5").update(data).digest("hex");
const WRONG_SECRET: Credentials = { accessKeyId: "", secretAccessKey: "not-the-secret" };
const putRequest = (key: string, body: Buffer, headers: Record<string, string> = {}) => ({ method: "PUT", path: `/limits/${key}`, body, headers });

/** Fails unless the answer came before any body byte and ended the connection. */
function refusedBeforeBody(res: Exchange): void {
  expect(res.interim).toEqual([]);
  expect(res.sent).toBe(0);
  expect(res.headers.connection).toBe("close");
  expect(res.closed).toBe(true);
}

describe("slow and silent uploads", () => {
  it("an upload whose bytes keep coming is never cut, however long it takes", async () => {
    const body = Buffer.alloc(10 * 1024, 7);
    const pieces = Array.from({ length: 10 }, (_, i) => body.subarray(i * 1024, (i + 1) * 1024));
    // 10 pieces, 120 ms apart: over a second in all, far past the 300 ms given to heads and Query
    // bodies, each gap within the 200 ms idle limit.
    const res = await s3Exchange(server.port, server.root, putRequest("slow", body), { pieces, pauseMs: 120 });
    expect(res.status, res.body).toBe(200);
    expect(res.headers.etag).toBe(`"${md5(body)}"`);
    const got = await s3Exchange(server.port, server.root, { method: "GET", path: "/limits/slow" });
    expect(got.headers["content-length"]).toBe(String(body.length));
  });

  it("a body that falls silent gets S3's RequestTimeout, and nothing is stored", async () => {
    const body = Buffer.alloc(4096, 1);
    const res = await s3Exchange(server.port, server.root, putRequest("stalled", body), { stopAfter: 1000 });
    expect(s3Error(res)).toEqual({ status: 400, code: "RequestTimeout", message: REQUEST_TIMEOUT });
    expect(res.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>RequestTimeout<\/Code>.*<RequestId>[0-9A-F]{16}<\/RequestId><HostId>[^<]+<\/HostId><\/Error>$/);
    expect(res.headers["x-amz-request-id"]).toMatch(/^[0-9A-F]{16}$/);
    expect(res.closed).toBe(true);
    const gone = await s3Exchange(server.port, server.root, { method: "GET", path: "/limits/stalled" });
    expect(s3Error(gone)).toMatchObject({ status: 404, code: "NoSuchKey" });
  });

  it("a silent UploadPart too; and a silent Query body gets the Query envelope", async () => {
    const created = await s3Exchange(server.port, server.root, { method: "POST", path: "/limits/mpu-stall", query: { uploads: "" } });
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.body)![1]!;
    const part = await s3Exchange(
      server.port,
      server.root,
      { method: "PUT", path: "/limits/mpu-stall", query: { partNumber: "1", uploadId }, body: Buffer.alloc(2048) },
      { stopAfter: 10 },
    );
    expect(s3Error(part)).toEqual({ status: 400, code: "RequestTimeout", message: REQUEST_TIMEOUT });

    const query = await exchange(server.port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n", {
      pieces: [Buffer.from("Action=GetCallerIdentity")],
    });
    expect(query.status).toBe(400);
    expect(query.body).toContain("<ErrorResponse");
    expect(query.body).toContain("<Code>RequestTimeout</Code>");
    expect(query.closed).toBe(true);
  });

  it("a Query body that trickles past its deadline is cut even though no gap is long", async () => {
    const pieces = Array.from({ length: 8 }, () => Buffer.from("Action=Get"));
    const res = await exchange(server.port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\n", {
      pieces,
      pauseMs: 100,
    });
    expect(res.status).toBe(400);
    expect(res.body).toContain("<Code>RequestTimeout</Code>");
  });
});

describe("Expect: 100-continue is answered after everything the head can tell", () => {
  const body = Buffer.alloc(64 * 1024, 3);
  const expectContinue = { Expect: "100-continue" };
  const send = (creds: Credentials, request: Parameters<typeof s3Exchange>[2]) =>
    s3Exchange(server.port, creds, { ...request, unsignedHeaders: { ...expectContinue, ...request.unsignedHeaders } }, { waitForContinue: true });

  it("a good upload hears 100 Continue once, then sends, then 200", async () => {
    const res = await send(server.root, putRequest("continued", body));
    expect(res.interim).toEqual(["HTTP/1.1 100 Continue"]);
    expect(res.sent).toBe(body.length);
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe(`"${md5(body)}"`);
    expect(res.closed).toBe(false);
  });

  it("a wrong signature, an unknown key, a skewed clock: refused without reading the body", async () => {
    const wrong = await send({ ...WRONG_SECRET, accessKeyId: server.root.accessKeyId }, putRequest("x", body));
    expect(s3Error(wrong)).toMatchObject({ status: 403, code: "SignatureDoesNotMatch" });
    refusedBeforeBody(wrong);

    const unknown = await send({ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "s" }, putRequest("x", body));
    expect(s3Error(unknown)).toEqual({ status: 403, code: "InvalidAccessKeyId", message: "The AWS Access Key Id you provided does not exist in our records." });
    refusedBeforeBody(unknown);

    const skewed = await send(server.root, { ...putRequest("x", body), signingDate: new Date(Date.now() - 3_600_000) });
    expect(s3Error(skewed)).toMatchObject({ status: 403, code: "RequestTimeTooSkewed" });
    refusedBeforeBody(skewed);

    const token = await send({ ...server.root, sessionToken: "garbage" }, putRequest("x", body));
    expect(s3Error(token)).toMatchObject({ status: 400, code: "InvalidToken" });
    refusedBeforeBody(token);
  });

  it("a policy that denies, a missing bucket, an unsigned x-amz-* header: refused without reading the body", async () => {
    const policy = await send(denied, putRequest("x", body));
    expect(s3Error(policy)).toEqual({ status: 403, code: "AccessDenied", message: "Access Denied" });
    refusedBeforeBody(policy);

    const bucket = await send(server.root, { method: "PUT", path: "/no-such-bucket/x", body });
    expect(s3Error(bucket)).toMatchObject({ status: 404, code: "NoSuchBucket" });
    refusedBeforeBody(bucket);

    const unsigned = await send(server.root, { ...putRequest("x", body), unsignedHeaders: { "x-amz-meta-extra": "1" } });
    expect(s3Error(unsigned)).toEqual({ status: 403, code: "AccessDenied", message: "There were headers present in the request which were not signed" });
    refusedBeforeBody(unsigned);

    // The refused key was never written.
    const gone = await s3Exchange(server.port, server.root, { method: "HEAD", path: "/limits/x" });
    expect(gone.status).toBe(404);
  });

  it("boto3 (which sends Expect on uploads) stores, and hears its refusals in S3's words", async () => {
    /** put_object of a 300 000-byte file-like body (botocore adds Expect for those): the ETag or the error. */
    const put = (creds: Credentials, bucket: string) =>
      boto3(
        server.url,
        creds,
        [
          `s3 = s.client('s3', endpoint_url=${JSON.stringify(server.url)}, config=cfg)`,
          "import io",
          "out = []",
          `print(json.dumps(err(lambda: out.append(s3.put_object(Bucket=${JSON.stringify(bucket)}, Key='boto', Body=io.BytesIO(b'a' * 300000))['ETag'])) or out[0]))`,
        ].join("\n"),
      ).then((run) => (run.code === 0 ? JSON.parse(run.stdout) : run.stderr));
    expect(await put(server.root, "limits")).toBe(`"${md5(Buffer.alloc(300000, "a"))}"`);
    expect(await put(server.root, "no-such-bucket")).toEqual([404, "NoSuchBucket", "The specified bucket does not exist"]);
    expect(await put(denied, "limits")).toEqual([403, "AccessDenied", "Access Denied"]);
  });
});

describe("XML bodies past 1 MiB", () => {
  const LIMIT = 10 * 1024 * 1024;

  it("CompleteMultipartUpload listing 10 000 parts (over 1 MiB) is read and answered InvalidPart", async () => {
    const created = await s3Exchange(server.port, server.root, { method: "POST", path: "/limits/big-complete", query: { uploads: "" } });
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.body)![1]!;
    let xml = '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">';
    // As botocore lists them (with a checksum each): about 130 bytes a part.
    for (let n = 1; n <= 10_000; n++) xml += `<Part><ETag>"${md5(Buffer.from(String(n)))}"</ETag><PartNumber>${n}</PartNumber><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>`;
    xml += "</CompleteMultipartUpload>";
    const body = Buffer.from(xml);
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const res = await s3Exchange(server.port, server.root, { method: "POST", path: "/limits/big-complete", query: { uploadId }, body });
    expect(s3Error(res)).toEqual({
      status: 400,
      code: "InvalidPart",
      message: "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    });
    expect(res.body).toContain("<PartNumber>1</PartNumber>");
  });

  it("boto3's DeleteObjects of 1000 keys of 1024 bytes (about 3 MB, XML-escaped) goes through", async () => {
    const run = await boto3(
      server.url,
      server.root,
      [
        `s3 = s.client('s3', endpoint_url=${JSON.stringify(server.url)}, config=cfg)`,
        "keys = [('%04d/' % i) + 'k&' * 509 + 'k' for i in range(1000)]",
        "out = s3.delete_objects(Bucket='limits', Delete={'Objects': [{'Key': k} for k in keys]})",
        "print(json.dumps([len(out.get('Deleted', [])), out['Deleted'][0]['Key'] == keys[0]]))",
      ].join("\n"),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([1000, true]);
  });

  it("a declared body over 10 MiB: MaxMessageLengthExceeded before any byte is read", async () => {
    const res = await s3Exchange(
      server.port,
      server.root,
      { method: "POST", path: "/limits", query: { delete: "" }, body: Buffer.alloc(LIMIT + 1), payloadHash: "UNSIGNED-PAYLOAD", unsignedHeaders: { Expect: "100-continue" } },
      { waitForContinue: true },
    );
    expect(s3Error(res)).toEqual({ status: 400, code: "MaxMessageLengthExceeded", message: "Your request was too big." });
    refusedBeforeBody(res);
  });

  it("a chunked body that grows past 10 MiB: MaxMessageLengthExceeded once it does", async () => {
    const piece = Buffer.alloc(1024 * 1024, "a");
    const framed = (data: Buffer) => Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from("\r\n")]);
    const head = await signedHead(server.port, server.root, {
      method: "POST",
      path: "/limits",
      query: { delete: "" },
      payloadHash: "UNSIGNED-PAYLOAD",
      unsignedHeaders: { "Transfer-Encoding": "chunked" },
    });
    const res = await exchange(server.port, head, { pieces: [...Array.from({ length: 11 }, () => framed(piece)), Buffer.from("0\r\n\r\n")] });
    expect(s3Error(res)).toEqual({ status: 400, code: "MaxMessageLengthExceeded", message: "Your request was too big." });
    expect(res.headers.connection).toBe("close");
  });
});

describe("x-amz-* headers must be signed, header form too", () => {
  it("an x-amz-* header added after signing: 403 AccessDenied with HeadersNotSigned", async () => {
    const res = await s3Exchange(server.port, server.root, {
      method: "GET",
      path: "/limits",
      query: { "list-type": "2" },
      unsignedHeaders: { "X-Amz-Meta-B": "1", "x-amz-acl": "private" },
    });
    expect(s3Error(res)).toEqual({ status: 403, code: "AccessDenied", message: "There were headers present in the request which were not signed" });
    expect(res.body).toContain("<HeadersNotSigned>x-amz-acl, x-amz-meta-b</HeadersNotSigned><RequestId>");
    // Signed, the same headers are fine; so are unsigned headers that are not x-amz-*.
    const signed = await s3Exchange(server.port, server.root, {
      method: "GET",
      path: "/limits",
      query: { "list-type": "2" },
      headers: { "x-amz-acl": "private" },
      unsignedHeaders: { "User-Agent": "test", "X-Forwarded-For": "1.2.3.4" },
    });
    expect(signed.status, signed.body).toBe(200);
  });
});

describe("what node's parser refuses, S3's requests hear in S3's words", () => {
  /** Raw bytes on a socket; everything the server sent before closing. */
  const rawHttp = (bytes: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const socket = connect(server.port, "127.0.0.1");
      let out = "";
      socket.on("data", (d) => (out += d.toString("latin1")));
      socket.on("close", () => resolve(out));
      socket.on("error", (e) => (out === "" ? reject(e) : undefined));
      socket.setTimeout(5000, () => socket.destroy(new Error("timeout")));
      socket.write(bytes);
    });

  it("a bad header line in an S3 request: 400 BadRequest in S3's envelope; in a Query one, the Query envelope", async () => {
    const s3 = await rawHttp("PUT /limits/k HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n");
    expect(s3).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(s3).toMatch(/\r\n\r\n<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>BadRequest<\/Code><Message>An error occurred when parsing the HTTP request.<\/Message><RequestId>[0-9A-F]{16}<\/RequestId><HostId>[^<]+<\/HostId><\/Error>$/);
    const query = await rawHttp("POST / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n");
    expect(query).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(query).toContain("<Code>MalformedHTTPRequest</Code>");
  });

  it("a head over node's limit: RequestHeaderSectionTooLarge with the limit", async () => {
    const res = await rawHttp(`GET /limits/k HTTP/1.1\r\nHost: x\r\nx-big: ${"a".repeat(20_000)}\r\n\r\n`);
    expect(res).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(res).toContain(
      "<Code>RequestHeaderSectionTooLarge</Code><Message>Your request header section exceeds the maximum allowed size.</Message><MaxSizeAllowed>16384</MaxSizeAllowed>",
    );
  });

  it("a head that does not arrive in time: RequestTimeout (in the Query envelope: node keeps the partial head)", async () => {
    const res = await rawHttp("GET /limits/k HTTP/1.1\r\nHost: x\r\n");
    expect(res).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(res).toContain(`<Code>RequestTimeout</Code>\n    <Message>${REQUEST_TIMEOUT}</Message>`);
  });

  it("chunked framing that breaks mid-upload: S3's BadRequest, and the server stays up", async () => {
    const head = await signedHead(server.port, server.root, {
      method: "PUT",
      path: "/limits/broken",
      payloadHash: "UNSIGNED-PAYLOAD",
      unsignedHeaders: { "Transfer-Encoding": "chunked" },
    });
    const res = await rawHttp(`${head}5\r\nhello\r\nZZ\r\n`);
    expect(res).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(res).toContain("<Code>BadRequest</Code>");
    const healthy = await fetch(`${server.url}/healthz`);
    expect(healthy.status).toBe(200);
  });
});
