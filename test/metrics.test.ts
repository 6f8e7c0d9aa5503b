/**
 * GET /metrics (issue 16 item 3): Prometheus text that a strict parser reads, whose counters are
 * the requests the test made — in one process, and across `serve --workers 2` (prom-client's
 * cluster aggregation, whichever worker answers the scrape) — and --admin-port, where /metrics and
 * /healthz move to a port of their own.
 */
import { CreateUserCommand, GetUserCommand } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, GetSessionTokenCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientEnv, sdkClients, sdkError } from "./helpers/clients.js";
import { rootKeyOf, serve, type ServeProcess } from "./helpers/cli.js";
import { advanceSteps, codeAt, createUserWithKey, enabledVirtualDevice, freezeAtStepStart, serverStep } from "./helpers/mfa.js";
import { parsePrometheusText, sampleValue, type MetricFamily } from "./helpers/prometheus-text.js";
import { startTestServer, tempDir, type TestServer } from "./helpers/server.js";

const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

async function scrape(url: string): Promise<Map<string, MetricFamily>> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe(CONTENT_TYPE);
  return parsePrometheusText(await res.text());
}

const requests = (m: Map<string, MetricFamily>, service: string, action: string, status: number) =>
  sampleValue(m, "mfa_sts_requests_total", { service, action, status: String(status) });

describe("GET /metrics, one process", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("counts each request by service, operation and status; sessions with and without MFA; refused codes", async () => {
    freezeAtStepStart(server);
    const { iam, sts } = sdkClients(server.url, server.root);
    const alice = await createUserWithKey(iam, "alice"); // CreateUser, CreateAccessKey
    const device = await enabledVirtualDevice(server, iam, "alice"); // CreateVirtualMFADevice, EnableMFADevice
    for (let i = 0; i < 3; i++) await sts.send(new GetCallerIdentityCommand({}));
    expect(await sdkError(iam.send(new CreateUserCommand({ UserName: "alice" })))).toMatchObject({ code: "EntityAlreadyExists" });
    const bad = sdkClients(server.url, { ...server.root, secretAccessKey: "x".repeat(40) });
    expect(await sdkError(bad.sts.send(new GetCallerIdentityCommand({})))).toMatchObject({ code: "SignatureDoesNotMatch" });
    const asAlice = sdkClients(server.url, alice).sts;
    advanceSteps(server, 1);
    await asAlice.send(new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: codeAt(device.seed, serverStep(server)) }));
    await asAlice.send(new GetSessionTokenCommand({}));
    // The same code again: refused (each code works once).
    expect(
      await sdkError(asAlice.send(new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: codeAt(device.seed, serverStep(server)) }))),
    ).toMatchObject({ code: "AccessDenied" });
    // Not SigV4 at all, and an unsigned S3 request: counted, as what they were.
    expect((await fetch(`${server.url}/?Action=GetCallerIdentity&Version=2011-06-15`)).status).toBe(403);
    expect((await fetch(`${server.url}/some-bucket`)).status).toBe(403);

    const m = await scrape(server.url);
    expect(requests(m, "iam", "CreateUser", 200)).toBe(1);
    expect(requests(m, "iam", "CreateUser", 409)).toBe(1);
    expect(requests(m, "iam", "CreateAccessKey", 200)).toBe(1);
    expect(requests(m, "iam", "CreateVirtualMFADevice", 200)).toBe(1);
    expect(requests(m, "iam", "EnableMFADevice", 200)).toBe(1);
    expect(requests(m, "sts", "GetCallerIdentity", 200)).toBe(3);
    // Refused before the caller was known, yet counted under the operation it named.
    expect(requests(m, "sts", "GetCallerIdentity", 403)).toBe(1);
    expect(requests(m, "sts", "GetSessionToken", 200)).toBe(2);
    expect(requests(m, "sts", "GetSessionToken", 403)).toBe(1);
    expect(requests(m, "sts", "unknown", 403)).toBe(1);
    expect(requests(m, "s3", "unknown", 403)).toBe(1);
    const total = m.get("mfa_sts_requests_total")!.samples.reduce((sum, s) => sum + s.value, 0);
    expect(total).toBe(14);
    expect(m.get("mfa_sts_requests_total")!.type).toBe("counter");

    const duration = m.get("mfa_sts_request_duration_seconds")!;
    expect(duration.type).toBe("histogram");
    expect(sampleValue(m, "mfa_sts_request_duration_seconds_count", { service: "sts", action: "GetCallerIdentity" })).toBe(4);

    expect(sampleValue(m, "mfa_sts_sessions_issued_total", { action: "GetSessionToken", mfa: "true" })).toBe(1);
    expect(sampleValue(m, "mfa_sts_sessions_issued_total", { action: "GetSessionToken", mfa: "false" })).toBe(1);
    expect(sampleValue(m, "mfa_sts_sessions_issued_total", { action: "AssumeRole", mfa: "false" })).toBe(0);
    expect(sampleValue(m, "mfa_sts_mfa_failures_total", { action: "GetSessionToken" })).toBe(1);
    expect(sampleValue(m, "mfa_sts_lockouts_total", { kind: "mfa-device" })).toBe(0);
    expect(sampleValue(m, "mfa_sts_store_errors_total")).toBe(0);
    // The token key was made at start-up (the server's clock was frozen at most 29 s behind it since).
    const age = sampleValue(m, "mfa_sts_token_key_age_seconds")!;
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(600);
    // The process's own.
    expect(m.get("process_cpu_user_seconds_total")?.type).toBe("counter");
    expect(m.get("nodejs_heap_size_used_bytes")?.type).toBe("gauge");

    // A scrape is not a request of the service: counting again changes nothing.
    const again = await scrape(server.url);
    expect(again.get("mfa_sts_requests_total")!.samples.reduce((sum, s) => sum + s.value, 0)).toBe(14);
    const head = await fetch(`${server.url}/metrics`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });
});

function env(): Record<string, string> {
  const e = clientEnv(undefined);
  delete e.AWS_DEFAULT_REGION;
  return e;
}

async function stop(proc: ServeProcess): Promise<void> {
  proc.child.kill("SIGTERM");
  expect(await proc.exited).toMatchObject({ code: 0 });
}

/** `n` calls, each on a fresh connection: the primary hands connections to the workers in turn. */
async function spread(n: number, call: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i++) await call();
}

describe("GET /metrics, serve --workers 2", () => {
  it("one scrape counts every worker's requests, whichever worker answers it", async () => {
    const proc = await serve(["--data-dir", tempDir(), "--workers", "2", "--no-audit-log"], env());
    const root = rootKeyOf(proc);
    await sdkClients(proc.url, root).iam.send(new CreateUserCommand({ UserName: "shared" }));
    // Alternating workers: each serves about half, so only the sum of both makes these counts.
    await spread(10, () => sdkClients(proc.url, root).sts.send(new GetCallerIdentityCommand({})));
    await spread(6, () => sdkClients(proc.url, root).iam.send(new GetUserCommand({ UserName: "shared" })));
    await spread(3, () => sdkError(sdkClients(proc.url, root).iam.send(new GetUserCommand({ UserName: "nobody" }))));
    for (let i = 0; i < 4; i++) {
      // Each scrape on a fresh connection too: both workers answer some, with the same totals.
      const m = await scrape(proc.url);
      expect(requests(m, "iam", "CreateUser", 200)).toBe(1);
      expect(requests(m, "sts", "GetCallerIdentity", 200)).toBe(10);
      expect(requests(m, "iam", "GetUser", 200)).toBe(6);
      expect(requests(m, "iam", "GetUser", 404)).toBe(3);
      expect(m.get("mfa_sts_requests_total")!.samples.reduce((sum, s) => sum + s.value, 0)).toBe(20);
      expect(sampleValue(m, "mfa_sts_request_duration_seconds_count", { service: "sts", action: "GetCallerIdentity" })).toBe(10);
      // Series every worker starts with add up too.
      expect(sampleValue(m, "mfa_sts_lockouts_total", { kind: "access-key" })).toBe(0);
      expect(m.get("process_cpu_user_seconds_total")?.type).toBe("counter");
    }
    await stop(proc);
  });
});

describe("--admin-port", () => {
  for (const workers of ["1", "2"]) {
    it(`moves /healthz and /metrics to their own port (--workers ${workers})`, async () => {
      const proc = await serve(["--data-dir", tempDir(), "--workers", workers, "--admin-port", "0", "--no-audit-log"], env());
      const admin = /admin endpoints \(\/healthz, \/metrics\) on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(proc.banner)?.[1];
      expect(admin, proc.banner).toBeDefined();
      expect(admin).not.toBe(proc.url);
      await spread(4, () => sdkClients(proc.url, rootKeyOf(proc)).sts.send(new GetCallerIdentityCommand({})));
      const m = await scrape(admin!);
      expect(requests(m, "sts", "GetCallerIdentity", 200)).toBe(4);
      const health = await fetch(`${admin}/healthz`);
      expect([health.status, await health.text()]).toEqual([200, "ok\n"]);
      expect((await fetch(`${admin}/`)).status).toBe(404);
      // On the service port they are no longer there: what answers is S3 (an unsigned request).
      for (const path of ["/metrics", "/healthz"]) {
        const res = await fetch(`${proc.url}${path}`);
        expect(res.status).toBe(403);
        expect(await res.text()).toContain("<Code>AccessDenied</Code>");
      }
      await stop(proc);
    });
  }
});
