/**
 * The hook the MFA attempt limits (issue 16 item 1) report a lockout through: `deps.events.lockout`
 * on a running server's deps writes one audit record (CloudTrail's service-event kind), counts it
 * in /metrics and logs one line at warn — with the serial number and the user, never a code.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { openAuditLog } from "../src/audit/audit-log.js";
import { createServerMetrics } from "../src/metrics/server-metrics.js";
import { instrument } from "../src/server/instrumentation.js";
import { createLogger } from "../src/server/logger.js";
import { prepareStore } from "../src/server/start.js";
import { parsePrometheusText, sampleValue } from "./helpers/prometheus-text.js";
import { TestClock, tempDir } from "./helpers/server.js";

describe("deps.events.lockout", () => {
  it("is an audit record, a metric and a warn line", async () => {
    const dataDir = tempDir();
    let logged = "";
    const logger = createLogger("info", new Writable({ write: (chunk, _enc, done) => ((logged += chunk.toString()), done()) }));
    const clock = new TestClock();
    clock.fixedMs = Date.UTC(2026, 0, 2, 3, 4, 5);
    const prepared = await prepareStore({ dataDir, host: "127.0.0.1", port: 0, masterKey: undefined, logger, clock, notice: () => {} });
    const file = join(dataDir, "audit.log");
    const audit = await openAuditLog(file, (e) => {
      throw e;
    });
    const metrics = createServerMetrics();
    const { deps } = await instrument(prepared, { audit, metrics });
    const [account] = await deps.store.listAccounts();
    const serialNumber = `arn:aws:iam::${account!.id}:mfa/alice`;
    deps.events!.lockout({
      kind: "mfa-device",
      accountId: account!.id,
      subject: serialNumber,
      userName: "alice",
      failures: 5,
      lockedAt: clock.now(),
      lockedUntil: clock.now() + 15 * 60_000,
      service: "sts",
      region: "eu-west-1",
      requestId: "0b6c3c4e-7d1a-4c0e-9f55-0d1f1b3a2c11",
      sourceIp: "::ffff:10.1.2.3",
    });
    await audit.close();
    await deps.store.close();

    const [record, ...more] = readFileSync(file, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(more).toEqual([]);
    expect(record).toEqual({
      eventVersion: "1.08",
      userIdentity: { type: "AWSService", invokedBy: "sts.amazonaws.com" },
      eventTime: "2026-01-02T03:04:05Z",
      eventSource: "sts.amazonaws.com",
      eventName: "MFADeviceLockout",
      awsRegion: "eu-west-1",
      sourceIPAddress: "sts.amazonaws.com",
      userAgent: "sts.amazonaws.com",
      requestParameters: null,
      responseElements: null,
      eventID: expect.stringMatching(/^[0-9a-f-]{36}$/),
      readOnly: false,
      eventType: "AwsServiceEvent",
      managementEvent: true,
      recipientAccountId: account!.id,
      serviceEventDetails: {
        serialNumber,
        userName: "alice",
        failures: 5,
        lockedUntil: "2026-01-02T03:19:05Z",
        requestID: "0b6c3c4e-7d1a-4c0e-9f55-0d1f1b3a2c11",
        clientSourceIPAddress: "10.1.2.3",
      },
      eventCategory: "Management",
    });

    const m = parsePrometheusText(await metrics.render());
    expect(sampleValue(m, "mfa_sts_lockouts_total", { kind: "mfa-device" })).toBe(1);
    expect(sampleValue(m, "mfa_sts_lockouts_total", { kind: "access-key" })).toBe(0);

    const lines = logged.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.level === 40)).toEqual([
      {
        level: 40,
        time: expect.any(Number),
        kind: "mfa-device",
        accountId: account!.id,
        subject: serialNumber,
        failures: 5,
        lockedUntil: "2026-01-02T03:19:05.000Z",
        requestId: "0b6c3c4e-7d1a-4c0e-9f55-0d1f1b3a2c11",
        msg: "locked after too many failures",
      },
    ]);
  });
});
