/**
 * `mfa-sts get-session-token` / `get-caller-identity` against aws CLI v2 (/usr/bin/aws 2.9.19),
 * differentially: both run with the same arguments, environment and files against a fixture
 * STS on 127.0.0.1 that answers with recorded responses and records every request. They must
 * print the same stdout and stderr, exit the same, and send the same request (parameters,
 * signing key, region, service, signed headers). Usage texts differ only in the program name.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, type Run } from "./helpers/clients.js";
import { BIN } from "./helpers/cli.js";
import { errorXml, GET_CALLER_IDENTITY_XML, getSessionTokenXml } from "./helpers/sts-responses.js";

const KEY = { id: "AKIAIOSFODNN7EXAMPLE", secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY" };
const GST_OK = getSessionTokenXml();
const GCI_OK = GET_CALLER_IDENTITY_XML;
const errorBody = errorXml;

interface Recorded {
  /** Which client sent it (from the User-Agent). */
  client: "aws" | "mfa-sts";
  /** The request path: each comparison gets its own endpoint path, so parallel runs stay apart. */
  path: string;
  params: Record<string, string>;
  accessKeyId: string;
  region: string;
  service: string;
  signedHeaders: string;
  securityToken: string | undefined;
}

let fixture: Server;
let url: string;
const requests: Recorded[] = [];

/** The fixture's answers: TokenCode 000000 → AccessDenied; TokenCode 999999 → Throttling. */
function answer(params: Record<string, string>): { status: number; body: string } {
  if (params.TokenCode === "000000") return { status: 403, body: errorBody("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code. ") };
  if (params.TokenCode === "999999") return { status: 400, body: errorBody("Throttling", "Rate exceeded") };
  if (params.TokenCode === "555555") return { status: 502, body: "<html>bad gateway</html>" };
  return { status: 200, body: params.Action === "GetCallerIdentity" ? GCI_OK : GST_OK };
}

/** Records the request and answers it (the same for the HTTP and the HTTPS fixture). */
function handle(req: IncomingMessage, res: ServerResponse): void {
  {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const params = Object.fromEntries(new URLSearchParams(body));
      const auth = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+)/.exec(req.headers.authorization ?? "");
      requests.push({
        client: (req.headers["user-agent"] ?? "").startsWith("aws-cli/") ? "aws" : "mfa-sts",
        path: req.url ?? "",
        params,
        accessKeyId: auth?.[1] ?? "",
        region: auth?.[2] ?? "",
        service: auth?.[3] ?? "",
        signedHeaders: auth?.[4] ?? "",
        securityToken: req.headers["x-amz-security-token"] as string | undefined,
      });
      const { status, body: out } = answer(params);
      // TokenCode 777777: a server that takes 1.5 s to answer (for --cli-read-timeout).
      const delay = params.TokenCode === "777777" ? 1500 : 0;
      setTimeout(() => res.writeHead(status, { "Content-Type": "text/xml" }).end(out), delay);
    });
  }
}

beforeAll(async () => {
  fixture = createServer(handle);
  await new Promise<void>((resolve) => fixture.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(fixture.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => fixture.close(() => resolve())));

/** A temporary HOME with optional ~/.aws files; no credentials unless given. */
function home(files: { config?: string; credentials?: string } = {}): { env: Record<string, string>; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "mfa-sts-dropin-"));
  if (files.config !== undefined) writeFileSync(join(dir, "config"), files.config);
  if (files.credentials !== undefined) writeFileSync(join(dir, "credentials"), files.credentials);
  return {
    dir,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      AWS_CONFIG_FILE: join(dir, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
      AWS_PAGER: "",
      AWS_EC2_METADATA_DISABLED: "true",
    },
  };
}

const withKey = (env: Record<string, string>) => ({ ...env, AWS_ACCESS_KEY_ID: KEY.id, AWS_SECRET_ACCESS_KEY: KEY.secret });

interface Outcome {
  run: Run;
  request: Recorded | undefined;
}

let caseCount = 0;

/** Runs one client and returns what it printed and the last request it sent to `caseUrl`. */
async function runOne(client: "aws" | "mfa-sts", command: string, args: string[], env: Record<string, string>, caseUrl = url): Promise<Outcome> {
  const result =
    client === "aws"
      ? await run("/usr/bin/aws", ["sts", command, ...args], env)
      : await run(process.execPath, [BIN, command, ...args], env);
  const casePath = new URL(caseUrl).pathname;
  const mine = requests.filter((r) => r.client === client && casePath !== "/" && r.path.startsWith(casePath));
  return { run: result, request: mine.at(-1) };
}

/** The aws CLI names itself in usage texts; mfa-sts names itself. */
const normalize = (text: string) => text.replace(/\baws( \[options\]| help| <command>|: error)/g, "mfa-sts$1");

async function compare(command: string, args: string[], env: Record<string, string>) {
  // This comparison's own endpoint path on the fixture, wherever the fixture's URL is given.
  const caseUrl = `${url}/case${++caseCount}`;
  const routed = (value: string) => (value === url ? caseUrl : value);
  args = args.map(routed);
  env = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, routed(v)]));
  const aws = await runOne("aws", command, args, env, caseUrl);
  const ours = await runOne("mfa-sts", command, args, env, caseUrl);
  expect({ stdout: ours.run.stdout, stderr: ours.run.stderr, code: ours.run.code }, `${command} ${args.join(" ")}`).toEqual({
    stdout: aws.run.stdout,
    stderr: normalize(aws.run.stderr),
    code: aws.run.code,
  });
  const strip = (r: Recorded | undefined) => r && { ...r, client: undefined };
  // An answer from the fixture (success or a service error) means a request reached it: then
  // "both sent none" cannot pass for "both sent the same".
  const viaFixture = args.includes(caseUrl) || Object.values(env).includes(caseUrl);
  if (viaFixture && (aws.run.code === 0 || aws.run.code === 254)) expect(aws.request, `aws sent ${command} ${args.join(" ")}`).toBeDefined();
  expect(strip(ours.request), `request of ${command} ${args.join(" ")}`).toEqual(strip(aws.request));
  return { aws, ours };
}

/** Runs comparisons a few at a time: each aws CLI start costs about half a second. */
async function compareAll(cases: [string, string[], Record<string, string>][]) {
  for (let i = 0; i < cases.length; i += 6) {
    await Promise.all(cases.slice(i, i + 6).map(([command, args, env]) => compare(command, args, env)));
  }
}

const ep = () => ["--endpoint-url", url, "--region", "us-east-1"];

describe("mfa-sts vs aws CLI v2: output", () => {
  it("every format, with and without --query, for both commands", async () => {
    const { env } = home();
    const cases: [string, string[], Record<string, string>][] = [];
    for (const output of ["json", "text", "table", "yaml", "yaml-stream"]) {
      for (const query of [undefined, "Credentials.AccessKeyId", "[Credentials.AccessKeyId,Credentials.SecretAccessKey,Credentials.SessionToken]", "Credentials", "Nope"]) {
        cases.push(["get-session-token", [...ep(), "--output", output, ...(query ? ["--query", query] : [])], withKey(env)]);
      }
      for (const query of [undefined, "Account", "[UserId,Arn]"]) {
        cases.push(["get-caller-identity", [...ep(), "--output", output, ...(query ? ["--query", query] : [])], withKey(env)]);
      }
    }
    await compareAll(cases);
    // 40 aws CLI v2 processes: ~24 s alone, past 60 s when the machine is busy with other tests.
  }, 180_000);

  it("parameters on the wire: command-line order, encoding, session tokens signed", async () => {
    const { env } = home();
    await compareAll([
      ["get-session-token", [...ep(), "--token-code", "123456", "--serial-number", "arn:aws:iam::123456789012:mfa/alice", "--duration-seconds", "900"], withKey(env)],
      ["get-session-token", [...ep(), "--serial-number", "abc def ghi*~!'()", "--token-code", "abcdef", "--duration-seconds", "129601"], withKey(env)],
      ["get-caller-identity", ep(), { ...withKey(env), AWS_SESSION_TOKEN: "FQoGZXIvYXdzEXAMPLE/+=" }],
      ["get-session-token", [...ep(), "--duration-seconds=1000", "--region=eu-west-1"], withKey(env)],
    ]);
  });
});

describe("mfa-sts vs aws CLI v2: inputs", () => {
  it("skeletons", async () => {
    const { env } = home();
    const cases: [string, string[], Record<string, string>][] = [];
    for (const command of ["get-session-token", "get-caller-identity"]) {
      for (const kind of [[], ["input"], ["yaml-input"], ["output"]]) {
        cases.push([command, ["--generate-cli-skeleton", ...kind], env]);
      }
    }
    await compareAll(cases);
  });

  it("--cli-input-json / --cli-input-yaml: the command line wins, top-level keys only", async () => {
    const { env, dir } = home();
    writeFileSync(join(dir, "input.json"), '{"DurationSeconds": 1000, "SerialNumber": "GAHT12345678", "TokenCode": "123456"}');
    await compareAll([
      ["get-session-token", [...ep(), "--cli-input-json", '{"DurationSeconds": 1000, "SerialNumber":"GAHT12345678"}', "--duration-seconds", "2000"], withKey(env)],
      ["get-session-token", [...ep(), "--cli-input-yaml", 'TokenCode: "123456"\nDurationSeconds: 1000\nSerialNumber: GAHT12345678', "--token-code", "654321"], withKey(env)],
      ["get-session-token", [...ep(), "--cli-input-json", `file://${join(dir, "input.json")}`], withKey(env)],
      ["get-session-token", [...ep(), "--cli-input-json", "file://~/input.json"], withKey(env)],
      // Paths expanded as awscli does (`~`, `~user`, `$VAR`, `${VAR}`), and named so when missing.
      ["get-session-token", [...ep(), "--cli-input-json", "file://$HOME/input.json"], withKey(env)],
      ["get-session-token", [...ep(), "--cli-input-json", "file://~/missing.json"], withKey(env)],
      ["get-session-token", [...ep(), "--cli-input-yaml", "file://${HOME}/missing.yaml"], withKey(env)],
      ["get-session-token", [...ep(), "--serial-number", "file://$UNSET_VARIABLE/serial"], withKey(env)],
      ["get-session-token", [...ep(), "--serial-number", "file://~root/missing"], withKey(env)],
      ["get-session-token", [...ep(), "--cli-input-json", "notjson"], withKey(env)],
      ["get-session-token", [...ep(), "--cli-input-json", '{"Bogus": 1, "DurationSeconds": "abc"}'], withKey(env)],
      ["get-session-token", [...ep(), "--cli-input-json", '{"DurationSeconds": 1.5, "SerialNumber": 5, "TokenCode": null}'], withKey(env)],
      ["get-session-token", [...ep(), "--cli-input-json", "{}", "--cli-input-yaml", "{}"], withKey(env)],
      ["get-caller-identity", [...ep(), "--cli-input-json", '{"Bogus": 1}'], withKey(env)],
    ]);
  });

  it("client-side validation: minimums and types only", async () => {
    const { env } = home();
    await compareAll([
      ["get-session-token", [...ep(), "--duration-seconds", "899"], withKey(env)],
      ["get-session-token", [...ep(), "--token-code", "12345", "--serial-number", "abc"], withKey(env)],
      ["get-session-token", [...ep(), "--duration-seconds", "abc"], withKey(env)],
      ["get-session-token", [...ep(), "--duration-seconds", "-5"], withKey(env)],
      ["get-session-token", [...ep(), "--duration-seconds", " 1000"], withKey(env)],
      ["get-session-token", [...ep(), "--serial-number", "file:///nonexistent/serial"], withKey(env)],
      ["get-session-token", [...ep(), "--bogus", "1"], withKey(env)],
      ["get-session-token", [...ep(), "--output", "bogus"], withKey(env)],
      ["get-session-token", [...ep(), "--output", "jsn"], withKey(env)],
      ["get-session-token", [...ep(), "--region"], withKey(env)],
      ["get-session-token", [...ep(), "extra"], withKey(env)],
      ["get-session-token", ["--endpoint-url", "notaurl", "--region", "us-east-1"], withKey(env)],
    ]);
  });
});

describe("mfa-sts vs aws CLI v2: errors", () => {
  it("a service error: AWS's line, message verbatim with its trailing space, exit 254", async () => {
    const { env } = home();
    const { ours } = await compare("get-session-token", [...ep(), "--serial-number", "GAHT12345678", "--token-code", "000000"], withKey(env));
    expect(ours.run.stderr).toBe(
      "\nAn error occurred (AccessDenied) when calling the GetSessionToken operation: MultiFactorAuthentication failed with invalid MFA one time pass code. \n",
    );
    expect(ours.run.code).toBe(254);
  });

  it("retries like standard mode: throttling three attempts, a proxy's 502 too", async () => {
    const { env } = home();
    await compareAll([
      ["get-session-token", [...ep(), "--serial-number", "GAHT12345678", "--token-code", "999999"], withKey(env)],
      ["get-session-token", [...ep(), "--serial-number", "GAHT12345678", "--token-code", "555555"], withKey(env)],
    ]);
    const attempts = (client: string) => requests.filter((r) => r.client === client && r.params.TokenCode === "999999").length;
    expect(attempts("aws")).toBe(3); // standard mode
    expect(attempts("mfa-sts")).toBe(attempts("aws"));
  });

  it("--cli-read-timeout: a slow server is a read timeout, as aws prints it", async () => {
    const { env } = home();
    const { ours } = await compare(
      "get-session-token",
      [...ep(), "--serial-number", "GAHT12345678", "--token-code", "777777", "--cli-read-timeout", "1"],
      { ...withKey(env), AWS_MAX_ATTEMPTS: "1" },
    );
    expect(ours.run.stderr).toMatch(/^\nRead timeout on endpoint URL: "http:\/\/127\.0\.0\.1:\d+\/case\d+"\n$/);
  });

  it("no credentials, a missing profile", async () => {
    const { env } = home();
    await compareAll([
      ["get-session-token", ep(), env],
      ["get-session-token", [...ep(), "--profile", "nope"], withKey(env)],
      ["get-session-token", ep(), { ...withKey(env), AWS_PROFILE: "nope" }],
    ]);
  });
});

describe("mfa-sts vs aws CLI v2: configuration", () => {
  it("profiles from the files, env precedence, regions", async () => {
    const { env, dir } = home({
      credentials: "[default]\naws_access_key_id = AKIADEFAULTEXAMPLE00\naws_secret_access_key = secret-default\n\n[work]\naws_access_key_id = AKIAWORKEXAMPLE00000\naws_secret_access_key = secret-work\naws_session_token = token-work\n",
      config: `[default]\nregion = eu-west-1\n\n[profile work]\nregion = ap-southeast-2\noutput = text\n\n[profile proc]\ncredential_process = ${process.execPath} -e "console.log(JSON.stringify({Version:1,AccessKeyId:'AKIAPROCESSEXAMPLE00',SecretAccessKey:'s'}))"\n\n[profile cfgkeys]\naws_access_key_id = AKIACONFIGEXAMPLE000\naws_secret_access_key = s\n`,
    });
    void dir;
    const url_ = ["--endpoint-url", url];
    await compareAll([
      ["get-caller-identity", url_, env],
      ["get-caller-identity", [...url_, "--profile", "work"], env],
      ["get-caller-identity", url_, { ...env, AWS_PROFILE: "work" }],
      ["get-caller-identity", url_, { ...env, AWS_DEFAULT_PROFILE: "work" }],
      ["get-caller-identity", url_, { ...env, AWS_PROFILE: "work", AWS_DEFAULT_PROFILE: "default" }],
      ["get-caller-identity", url_, { ...withKey(env), AWS_PROFILE: "work" }],
      ["get-caller-identity", [...url_, "--profile", "work"], withKey(env)],
      ["get-caller-identity", [...url_, "--profile", "proc"], env],
      ["get-caller-identity", [...url_, "--profile", "cfgkeys"], env],
      ["get-caller-identity", url_, { ...env, AWS_REGION: "ca-central-1", AWS_DEFAULT_REGION: "sa-east-1" }],
      ["get-caller-identity", url_, { ...env, AWS_DEFAULT_REGION: "sa-east-1" }],
      ["get-caller-identity", [...url_, "--region", "us-west-2"], { ...env, AWS_REGION: "ca-central-1" }],
      ["get-caller-identity", url_, { ...env, AWS_DEFAULT_OUTPUT: "table" }],
      // The files' paths expanded as botocore does.
      ["get-caller-identity", url_, { ...env, AWS_SHARED_CREDENTIALS_FILE: "$HOME/credentials", AWS_CONFIG_FILE: "${HOME}/config", AWS_PROFILE: "work" }],
      ["get-caller-identity", url_, { ...env, AWS_SHARED_CREDENTIALS_FILE: "~/credentials", AWS_CONFIG_FILE: "~/config", AWS_PROFILE: "work" }],
    ]);
  });

  it("no region: the global endpoint's signing region", async () => {
    const { env } = home();
    await compare("get-caller-identity", ["--endpoint-url", url], withKey(env));
  });
});

describe("mfa-sts vs aws CLI v2: real servers", () => {
  it("a live mfa-sts serve: identity, a server-side ValidationError, session credentials", async () => {
    const { startTestServer } = await import("./helpers/server.js");
    const server = await startTestServer();
    try {
      const { env } = home();
      const root = { ...env, AWS_ACCESS_KEY_ID: server.root.accessKeyId, AWS_SECRET_ACCESS_KEY: server.root.secretAccessKey };
      const live = ["--endpoint-url", server.url, "--region", "us-east-1"];
      for (const output of ["json", "text", "table", "yaml"]) await compare("get-caller-identity", [...live, "--output", output], root);
      await compare("get-session-token", [...live, "--duration-seconds", "129601"], root);
      await compare("get-session-token", [...live, "--serial-number", "GAHT12345678"], root);
      // Session credentials from one, used by both: the same refusal.
      const ours = await runOne("mfa-sts", "get-session-token", [...live, "--query", "Credentials.[AccessKeyId,SecretAccessKey,SessionToken]", "--output", "text"], root);
      expect(ours.run.code).toBe(0);
      const [id, secret, token] = ours.run.stdout.trim().split("\t");
      const session = { ...env, AWS_ACCESS_KEY_ID: id!, AWS_SECRET_ACCESS_KEY: secret!, AWS_SESSION_TOKEN: token! };
      await compare("get-caller-identity", live, session);
      await compare("get-session-token", live, session);
    } finally {
      await server.close();
    }
  });

  it("moto_server: the same identity output", async () => {
    const { spawn } = await import("node:child_process");
    const { createServer: netServer } = await import("node:net");
    const port = await new Promise<number>((resolve) => {
      const probe = netServer().listen(0, "127.0.0.1", () => {
        const p = (probe.address() as { port: number }).port;
        probe.close(() => resolve(p));
      });
    });
    const moto = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
    try {
      const motoUrl = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 100; i++) {
        const up = await fetch(motoUrl).then(() => true, () => false);
        if (up) break;
        await new Promise((r) => setTimeout(r, 100)); // polling a child's start-up, bounded at 10 s
      }
      const { env } = home();
      for (const output of ["json", "table"]) await compare("get-caller-identity", ["--endpoint-url", motoUrl, "--region", "us-east-1", "--output", output], withKey(env));
      const gst = await compare("get-session-token", ["--endpoint-url", motoUrl, "--region", "us-east-1", "--duration-seconds", "900", "--query", "Credentials.AccessKeyId"], withKey(env));
      expect(gst.ours.run.code).toBe(0);
    } finally {
      moto.kill("SIGTERM");
    }
  });
});

describe("endpoint configuration (aws CLI v2 2.9.19 predates it: compared with aws CLI v1's request)", () => {
  /** aws CLI v1 honours AWS_ENDPOINT_URL_STS and friends; its JSON output of GetCallerIdentity is v2's too. */
  async function compareWithV1(args: string[], env: Record<string, string>, expectedPath: (caseUrl: string) => string) {
    const caseUrl = `${url}/case${++caseCount}`;
    const routed = (value: string) => value.split(url).join(caseUrl);
    args = args.map(routed);
    env = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, routed(v)]));
    const target = expectedPath(caseUrl);
    const before = requests.length;
    const v1 = await run("aws", ["sts", "get-caller-identity", ...args], env);
    const v1Request = requests.slice(before).filter((r) => r.client === "aws" && r.path === new URL(target).pathname).at(-1);
    const ours = await runOne("mfa-sts", "get-caller-identity", args, env, target);
    expect({ stdout: ours.run.stdout, stderr: ours.run.stderr, code: ours.run.code }).toEqual({ stdout: v1.stdout, stderr: v1.stderr, code: v1.code });
    expect(v1Request).toBeDefined();
    expect(ours.request).toEqual({ ...v1Request, client: "mfa-sts" });
    expect(ours.request!.path).toBe(new URL(expectedPath(caseUrl)).pathname);
  }

  it("AWS_ENDPOINT_URL_STS > AWS_ENDPOINT_URL > services section > profile endpoint_url", async () => {
    const unreachable = "http://127.0.0.1:9";
    const { env } = home({
      config: `[default]\nregion = eu-west-1\nendpoint_url = ${url}/profile\n\n[profile svc]\nregion = eu-west-1\nservices = dev\nendpoint_url = ${unreachable}\n\n[services dev]\nsts =\n  endpoint_url = ${url}/services\n`,
    });
    const key = withKey(env);
    await compareWithV1([], { ...key, AWS_ENDPOINT_URL_STS: url, AWS_ENDPOINT_URL: unreachable }, (c) => c);
    await compareWithV1([], { ...key, AWS_ENDPOINT_URL: url }, (c) => c);
    await compareWithV1([], { ...key, AWS_PROFILE: "svc" }, () => `${url}/services`);
    await compareWithV1([], key, () => `${url}/profile`);
    await compareWithV1(["--endpoint-url", url], { ...key, AWS_ENDPOINT_URL_STS: unreachable }, (c) => c);
  });
});

describe("--debug", () => {
  it("writes to stderr only; stdout is what it would be without", async () => {
    const { env } = home();
    const plain = await runOne("mfa-sts", "get-caller-identity", ep(), withKey(env));
    const debug = await runOne("mfa-sts", "get-caller-identity", [...ep(), "--debug"], withKey(env));
    expect(debug.run.stdout).toBe(plain.run.stdout);
    expect(debug.run.code).toBe(0);
    expect(debug.run.stderr).toMatch(/DEBUG - endpoint http:\/\/127\.0\.0\.1:\d+, signing region us-east-1/);
    expect(debug.run.stderr).not.toContain(KEY.secret);
  });
});

describe("HTTPS: --ca-bundle and --no-verify-ssl", () => {
  it("a self-signed endpoint: trusted through --ca-bundle / AWS_CA_BUNDLE, or not verified; refused otherwise", async () => {
    const { execFileSync } = await import("node:child_process");
    const { readFileSync } = await import("node:fs");
    const { createServer: httpsServer } = await import("node:https");
    const { env, dir } = home();
    const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.pem")];
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
    const tls = httpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, handle);
    await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
    try {
      const secureUrl = `https://127.0.0.1:${(tls.address() as { port: number }).port}`;
      const base = ["--endpoint-url", secureUrl, "--region", "us-east-1"];
      await compare("get-caller-identity", [...base, "--ca-bundle", cert], withKey(env));
      await compare("get-caller-identity", base, { ...withKey(env), AWS_CA_BUNDLE: cert });
      // urllib3 adds an InsecureRequestWarning on stderr; what reaches stdout and the exit code agree.
      const aws = await run("/usr/bin/aws", ["sts", "get-caller-identity", ...base, "--no-verify-ssl"], withKey(env));
      const ours = await run(process.execPath, [BIN, "get-caller-identity", ...base, "--no-verify-ssl"], withKey(env));
      expect([ours.stdout, ours.code]).toEqual([aws.stdout, aws.code]);
      expect(ours.code).toBe(0);
      const refused = await run(process.execPath, [BIN, "get-caller-identity", ...base], { ...withKey(env), AWS_MAX_ATTEMPTS: "1" });
      const awsRefused = await run("/usr/bin/aws", ["sts", "get-caller-identity", ...base], { ...withKey(env), AWS_MAX_ATTEMPTS: "1" });
      expect(refused).toEqual(awsRefused);
      expect(refused.stderr).toMatch(/^\nSSL validation failed for https:\/\/127\.0\.0\.1:\d+\/ \[SSL: CERTIFICATE_VERIFY_FAILED\]/);
    } finally {
      await new Promise<void>((resolve) => tls.close(() => resolve()));
    }
  });
});
