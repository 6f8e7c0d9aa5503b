/**
 * `serve --tls-cert FILE --tls-key FILE` (issue 16 item 4): HTTPS through the same adapter, with
 * real clients given the CA — aws CLI v2 `--ca-bundle`, boto3 `verify=` (STS, IAM and S3, whose
 * uploads botocore sends as aws-chunked with a trailer checksum over HTTPS) — and refused by them
 * without it. The documented limits at their defaults, over TLS: a head sent one byte a second is
 * cut off at 15 s (+ node's 1 s check) with RequestTimeout, and so is a client that never
 * completes its handshake. The two slow clients run alongside the client tests (all tests here
 * are concurrent), so the file takes about as long as the 15 s limit.
 */
import { connect as tcpConnect } from "node:net";
import { readFileSync } from "node:fs";
import { get as httpsGet } from "node:https";
import { connect as tlsConnect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientEnv, run } from "./helpers/clients.js";
import { mfaSts, rootKeyOf, serve, type ServeProcess } from "./helpers/cli.js";
import { tempDir, type Credentials } from "./helpers/server.js";
import { makeCertificates, type TestCertificates } from "./helpers/tls-certs.js";

/** The documented defaults (README "HTTP limits"; http.ts DEFAULT_HTTP_TIMEOUTS). */
const HEADERS_TIMEOUT_MS = 15_000;
/** node looks for heads past their time once a second (http.ts connectionsCheckingInterval). */
const CHECK_INTERVAL_MS = 1_000;

function serveEnv(): Record<string, string> {
  const env = clientEnv(undefined);
  delete env.AWS_DEFAULT_REGION;
  return env;
}

let certs: TestCertificates;
let server: ServeProcess;
let root: Credentials;
let port: number;

beforeAll(async () => {
  certs = makeCertificates();
  server = await serve(["--data-dir", tempDir(), "--workers", "2", "--tls-cert", certs.cert, "--tls-key", certs.key], serveEnv());
  root = rootKeyOf(server);
  port = Number(new URL(server.url).port);
});
afterAll(async () => {
  server?.child.kill("SIGTERM");
  await server?.exited;
});

/** What a slow client saw: when (ms after it connected) the server closed, and what it had said. */
interface Cutoff {
  closedAfterMs: number;
  response: string;
  bytesSent: number;
}

/**
 * Over TLS (the handshake done at once), sends a request head one byte a second and never
 * finishes it; resolves when the server closes the connection. Bounded: fails after 25 s.
 */
function slowHeadClient(): Promise<Cutoff> {
  const head = `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Slow: ${"a".repeat(100)}`;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let response = "";
    let sent = 0;
    const socket = tlsConnect({ host: "127.0.0.1", port, ca: readFileSync(certs.ca) });
    const trickle = setInterval(() => {
      if (sent < head.length && socket.writable) socket.write(head[sent++]!);
    }, 1000);
    const bound = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still connected after 25 s, ${sent} bytes sent`));
    }, 25_000);
    socket.on("secureConnect", () => socket.write(head[sent++]!));
    socket.on("data", (d: Buffer) => (response += d.toString("latin1")));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearInterval(trickle);
      clearTimeout(bound);
      resolve({ closedAfterMs: Date.now() - started, response, bytesSent: sent });
    });
  });
}

/** Opens a TCP connection to the HTTPS port and never starts the TLS handshake. */
function silentTcpClient(): Promise<Cutoff> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let response = "";
    const socket = tcpConnect(port, "127.0.0.1");
    const bound = setTimeout(() => {
      socket.destroy();
      reject(new Error("still connected after 25 s"));
    }, 25_000);
    socket.on("data", (d: Buffer) => (response += d.toString("latin1")));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(bound);
      resolve({ closedAfterMs: Date.now() - started, response, bytesSent: 0 });
    });
  });
}

/** boto3 with `verify` (a CA file, or True for the system's store); prints JSON. */
function boto3Tls(verify: string, script: string) {
  const prelude = [
    "import boto3, botocore, json",
    `s = boto3.session.Session(aws_access_key_id=${JSON.stringify(root.accessKeyId)}, aws_secret_access_key=${JSON.stringify(root.secretAccessKey)}, region_name='us-east-1')`,
    "cfg = botocore.config.Config(retries={'max_attempts': 1})",
    `kw = dict(endpoint_url=${JSON.stringify(server.url)}, verify=${verify}, config=cfg)`,
    "sts, iam, s3 = s.client('sts', **kw), s.client('iam', **kw), s.client('s3', **kw)",
  ].join("\n");
  return run("python3", ["-c", `${prelude}\n${script}`], clientEnv(undefined));
}

describe.concurrent("serve over HTTPS", () => {
  it("says https:// in its banner, and keeps its workers", () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.banner).toMatch(/listening on https:\/\/127\.0\.0\.1:\d+ \(2 workers\)\n$/);
  });

  it("aws CLI v2 with --ca-bundle: STS and IAM; without the CA: SSL validation fails", async () => {
    const cli = (args: string[]) => run("/usr/bin/aws", ["--endpoint-url", server.url, "--output", "json", ...args], clientEnv(root));
    const who = await cli(["--ca-bundle", certs.ca, "sts", "get-caller-identity"]);
    expect(who.stderr).toBe("");
    expect(JSON.parse(who.stdout).Arn).toMatch(/^arn:aws:iam::\d{12}:root$/);
    const created = await cli(["--ca-bundle", certs.ca, "iam", "create-user", "--user-name", "over-tls"]);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout).User.UserName).toBe("over-tls");

    const untrusted = await cli(["sts", "get-caller-identity"]);
    expect(untrusted.code).toBe(255);
    expect(untrusted.stdout).toBe("");
    expect(untrusted.stderr).toMatch(/SSL validation failed for https:\/\/127\.0\.0\.1:\d+\/ .*CERTIFICATE_VERIFY_FAILED/);
  });

  it("boto3 with verify=CA: STS, IAM, and an S3 upload and download; with the system's CAs: SSLError", async () => {
    const trusted = await boto3Tls(
      JSON.stringify(certs.ca),
      [
        "out = [sts.get_caller_identity()['Arn'].endswith(':root')]",
        "out.append(iam.create_user(UserName='boto-over-tls')['User']['UserName'])",
        "s3.create_bucket(Bucket='tls-bucket')",
        "s3.put_object(Bucket='tls-bucket', Key='k', Body=b'x' * 100000)",
        "out.append(len(s3.get_object(Bucket='tls-bucket', Key='k')['Body'].read()))",
        "print(json.dumps(out))",
      ].join("\n"),
    );
    expect(trusted.stderr).toBe("");
    expect(JSON.parse(trusted.stdout)).toEqual([true, "boto-over-tls", 100000]);

    const untrusted = await boto3Tls(
      "True",
      ["try:", "    sts.get_caller_identity()", "    print('trusted')", "except botocore.exceptions.SSLError as e:", "    print('SSLError', 'CERTIFICATE_VERIFY_FAILED' in str(e))"].join("\n"),
    );
    expect(untrusted.stdout).toBe("SSLError True\n");
  });

  it("a client that sends its head one byte a second is cut off at the headers timeout, with RequestTimeout", async () => {
    const cut = await slowHeadClient();
    expect(cut.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 500);
    expect(cut.closedAfterMs).toBeLessThanOrEqual(HEADERS_TIMEOUT_MS + CHECK_INTERVAL_MS + 1500);
    expect(cut.bytesSent).toBeLessThan(20);
    expect(cut.response).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(cut.response).toContain("<Code>RequestTimeout</Code>");
  });

  it("a client that never completes the TLS handshake is cut off at the same timeout", async () => {
    const cut = await silentTcpClient();
    expect(cut.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 500);
    expect(cut.closedAfterMs).toBeLessThanOrEqual(HEADERS_TIMEOUT_MS + 1500);
    expect(cut.response).toBe("");
  });

  it("plain HTTP to the HTTPS port is refused at the TLS layer, and HTTPS goes on", async () => {
    const plain = await new Promise<string>((resolve, reject) => {
      const socket = tcpConnect(port, "127.0.0.1");
      let out = "";
      socket.setTimeout(5000, () => socket.destroy(new Error("no answer")));
      socket.on("data", (d: Buffer) => (out += d.toString("latin1")));
      socket.on("error", reject);
      socket.on("close", () => resolve(out));
      socket.end("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    });
    expect(plain).not.toContain("HTTP/1.1 200");
    const healthy = await new Promise<string>((resolve, reject) => {
      const req = httpsGet(`${server.url}/healthz`, { ca: readFileSync(certs.ca) }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve(`${res.statusCode} ${body}`));
      });
      req.on("error", reject);
      req.setTimeout(5000, () => req.destroy(new Error("no answer")));
    });
    expect(healthy).toBe("200 ok\n");
  });
});

describe("--tls-cert and --tls-key: refusals", () => {
  it("one without the other is a usage error; an unreadable file or a key that is not the certificate's is one line, exit 1", async () => {
    const dir = tempDir();
    const alone = await mfaSts(["serve", "--data-dir", dir, "--port", "0", "--tls-cert", certs.cert], serveEnv());
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain("error: --tls-cert and --tls-key go together");

    const missing = await mfaSts(["serve", "--data-dir", dir, "--port", "0", "--tls-cert", `${certs.dir}/nope.pem`, "--tls-key", certs.key], serveEnv());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`mfa-sts serve: cannot read the TLS certificate ${certs.dir}/nope.pem: ENOENT: no such file or directory, open '${certs.dir}/nope.pem'\n`);

    const mismatched = await mfaSts(["serve", "--data-dir", dir, "--port", "0", "--workers", "2", "--tls-cert", certs.cert, "--tls-key", `${certs.dir}/ca.key`], serveEnv());
    expect(mismatched.code).toBe(1);
    expect(mismatched.stderr).toMatch(
      new RegExp(`^(initialized account[^]*)?mfa-sts serve: --tls-cert ${certs.cert} and --tls-key ${certs.dir}/ca.key cannot serve HTTPS: .*key values mismatch\\n$`),
    );
  });
});
