/**
 * Bad input over real HTTP: oversized bodies, broken encodings, duplicate parameters, garbage
 * headers, unknown or missing actions. Each gets an AWS-style 4xx, never a 500, and the server
 * stays healthy. Also the protocol basics: request ids, content type, `+` as a space.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf, signedFetch, xmlError } from "./helpers/signed-fetch.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

async function healthy(): Promise<void> {
  const res = await fetch(`${server.url}/healthz`);
  expect(res.status).toBe(200);
}

/** Raw bytes on a socket; resolves with everything the server sent before closing. */
function rawHttp(bytes: Buffer | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, "127.0.0.1");
    let out = "";
    socket.on("data", (d) => (out += d.toString("latin1")));
    socket.on("end", () => resolve(out));
    socket.on("error", reject);
    socket.setTimeout(5000, () => socket.destroy(new Error("timeout")));
    socket.end(bytes);
  });
}

describe("protocol basics", () => {
  it("x-amzn-RequestId is the XML RequestId, a UUID; text/xml; exact envelope bytes", async () => {
    const res = await fetch(`${server.url}/?Action=GetCallerIdentity&Version=2011-06-15`);
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toBe("text/xml");
    const id = res.headers.get("x-amzn-requestid")!;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const body = await res.text();
    expect(body).toBe(
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n' +
        "  <Error>\n    <Type>Sender</Type>\n    <Code>MissingAuthenticationToken</Code>\n" +
        "    <Message>Request is missing Authentication Token</Message>\n  </Error>\n" +
        `  <RequestId>${id}</RequestId>\n</ErrorResponse>\n`,
    );
    // The raw AWS capture of this error has Content-Length 297 (spec §4.1).
    expect(Buffer.byteLength(body)).toBe(297);
  });

  it("decodes GET query strings of presigned requests", async () => {
    const res = await signedFetch(server.url, server.root, {
      method: "GET",
      presign: true,
      service: "iam",
      query: { Action: "CreateUser", Version: "2010-05-08", UserName: "a b" },
    });
    expect(res.status).toBe(400);
    expect(xmlError(res.body).message).toContain("Value 'a b' at 'userName'");
    expect(res.body).toContain('xmlns="https://iam.amazonaws.com/doc/2010-05-08/"');
    // (The aws CLI's form bodies encode the space as "+": aws-cli.test.ts covers that form.)
  });

  it("unknown Action → InvalidAction; none → MissingAction; other Version → InvalidAction", async () => {
    const bogus = await signedFetch(server.url, server.root, { body: "Action=Bogus&Version=2011-06-15" });
    expect(errorOf(bogus)).toEqual({
      status: 400,
      code: "InvalidAction",
      message: "Could not find operation Bogus for version 2011-06-15",
    });
    const none = await signedFetch(server.url, server.root, { body: "Version=2011-06-15" });
    expect(errorOf(none)).toEqual({
      status: 400,
      code: "MissingAction",
      message: "The request is missing an action or a required parameter.",
    });
    const version = await signedFetch(server.url, server.root, { body: "Action=GetCallerIdentity&Version=2010-05-08" });
    expect(errorOf(version)).toEqual({
      status: 400,
      code: "InvalidAction",
      message: "Could not find operation GetCallerIdentity for version 2010-05-08",
    });
    const noVersion = await signedFetch(server.url, server.root, { body: "Action=GetCallerIdentity" });
    expect(errorOf(noVersion)).toEqual({
      status: 400,
      code: "MissingParameter",
      message: "The request must contain the parameter Version",
    });
    // An IAM action on the STS scope does not exist there (one port, two services).
    const crossed = await signedFetch(server.url, server.root, { body: "Action=ListUsers&Version=2010-05-08" });
    expect(xmlError(crossed.body).code).toBe("InvalidAction");
  });
});

describe("bad input never yields a 500", () => {
  it("a body over 1 MiB → 413, declared or streamed", async () => {
    const big = "A".repeat(1024 * 1024 + 1);
    const declared = await fetch(`${server.url}/`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: big });
    expect(declared.status).toBe(413);
    expect(xmlError(await declared.text()).code).toBe("RequestEntityTooLarge");
    const streamed = await rawHttp(
      `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${(1024 * 1024 + 1).toString(16)}\r\n${big}\r\n0\r\n\r\n`,
    );
    expect(streamed).toMatch(/^HTTP\/1\.1 413 /);
    await healthy();
  });

  it("broken percent-encoding and non-UTF-8 bytes → MalformedQueryString", async () => {
    for (const body of ["Action=GetCallerIdentity&Version=2011-06-15&X=%G1", "Action=Get%", "UserName=%FF%FE"]) {
      const res = await fetch(`${server.url}/`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
      expect({ status: res.status, ...xmlError(await res.text()) }).toEqual({
        status: 404,
        code: "MalformedQueryString",
        message: "The query string contains a syntax error.",
      });
    }
    const rawBytes = await rawHttp(
      Buffer.concat([
        Buffer.from("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 4\r\nConnection: close\r\n\r\n"),
        Buffer.from([0x41, 0x3d, 0xff, 0xfe]),
      ]),
    );
    expect(rawBytes).toMatch(/^HTTP\/1\.1 404 /);
    // Raw bytes in the request target: UTF-8 is read as such, anything else is malformed.
    const rawQuery = await rawHttp(Buffer.concat([Buffer.from("GET /?Action=Get"), Buffer.from([0xff]), Buffer.from(" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")]));
    expect(rawQuery).toMatch(/^HTTP\/1\.1 (400|404) /);
    await healthy();
  });

  it("a parameter sent twice → InvalidQueryParameter 400", async () => {
    const res = await signedFetch(server.url, server.root, { body: "Action=GetCallerIdentity&Version=2011-06-15&Action=GetCallerIdentity" });
    expect(errorOf(res)).toEqual({
      status: 400,
      code: "InvalidQueryParameter",
      message: "The AWS query string is malformed or does not adhere to AWS standards.",
    });
  });

  it("garbage headers and request lines → 400, and the server stays up", async () => {
    for (const request of [
      "POST / HTTP/1.1\r\nHost: x\r\nBad\u0001Header: y\r\n\r\n",
      "GARBAGE\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: x\r\nX: \u0000\r\n\r\n",
    ]) {
      const out = await rawHttp(request);
      expect(out, JSON.stringify(request)).toMatch(/^HTTP\/1\.1 400 /);
    }
    await healthy();
  });

  it("an Authorization header of another scheme or pure noise → 4xx", async () => {
    for (const value of ["Bearer abc", "AWS AKIAIOSFODNN7EXAMPLE:sig", "AWS4-HMAC-SHA256", "\u00ff\u00fe"]) {
      const res = await fetch(`${server.url}/`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: value },
        body: "Action=GetCallerIdentity&Version=2011-06-15",
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    await healthy();
  });
});
