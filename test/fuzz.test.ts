/**
 * The fuzzing suite (issue 16 item 6) against `mfa-sts serve` itself (one process, so a crash is
 * its exit): mutated signed requests for every Query operation the server routes (STS and IAM,
 * made from their input shapes) and for the S3 routes; their bytes mangled after signing (bits
 * flipped, bytes inserted and deleted, headers mangled, session tokens truncated and bit-flipped,
 * signatures broken); chunked bodies cut short, half-closed and aborted connections, garbage.
 * Every answer must be a 2xx/304 or an error in its service's envelope — never a 5xx (but S3's
 * own 501 NotImplemented and 503 SlowDown), a crash or a hang (test/helpers/fuzz-run.ts judges);
 * nothing may be logged at error level, and the root key, which no case uses, must still be
 * served afterwards.
 *
 * Bounded for `npm test` (FUZZ_REQUESTS, default 3000, well under a minute); `npm run fuzz` runs
 * 100 000 and prints the counts by status. FUZZ_SEED replays a run; a failure names its seed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { ListUsersCommand, IAMClient } from "@aws-sdk/client-iam";
import { clientEnv } from "./helpers/clients.js";
import { mfaSts, serve, type ServeProcess } from "./helpers/cli.js";
import { buildWorld, formatReport, runFuzz } from "./helpers/fuzz-run.js";
import { serialize, signS3 } from "./helpers/fuzz-sign.js";
import { exchange } from "./helpers/fuzz-wire.js";
import { replayable, seedFrom } from "./helpers/seeded.js";
import { tempDir, type Credentials } from "./helpers/server.js";

const SEED = seedFrom("FUZZ_SEED");
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 3000);
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 8);
/** Far past anything the server should take; its own limits for slow clients are 15-30 s. */
const DEADLINE_MS = 10_000;
/** 250-450 requests a second on a shared 2-core machine; a long run gets time in proportion. */
const TEST_TIMEOUT_MS = Math.max(60_000, REQUESTS * 10);

let server: ServeProcess;
let root: Credentials;
let log = "";

beforeAll(async () => {
  const env = clientEnv(undefined);
  delete env.AWS_DEFAULT_REGION;
  const dataDir = tempDir();
  const init = await mfaSts(["init", "--data-dir", dataDir, "--account-id", "123456789012", "--json"], env);
  const created = JSON.parse(init.stdout) as { AccessKeyId: string; SecretAccessKey: string };
  root = { accessKeyId: created.AccessKeyId, secretAccessKey: created.SecretAccessKey };
  server = await serve(["--data-dir", dataDir, "--workers", "1", "--log-level", "warn"], env);
  server.child.stderr.on("data", (d: Buffer) => (log += d.toString()));
});
afterAll(async () => {
  server?.child.kill("SIGTERM");
  await server?.exited;
});

/** The server's log lines at error level or above (pino JSON on stderr) since it listened. */
const errorLogLines = (): string[] => log.split("\n").filter((line) => line.startsWith("{") && (JSON.parse(line) as { level: number }).level >= 50);

describe("fuzzing", () => {
  it(
    `${REQUESTS} mutated, mangled and garbage requests: never a 5xx, a crash, a hang or an error without envelope; valid calls work afterwards`,
    async () => {
      await replayable("FUZZ_SEED", SEED, async () => {
        const world = await buildWorld(server.url, root);
        const report = await runFuzz(world, {
          seed: SEED,
          requests: REQUESTS,
          concurrency: CONCURRENCY,
          deadlineMs: DEADLINE_MS,
          progress: (so) => console.log(formatReport(so)),
        });
        console.log(formatReport(report));
        expect(report.failureCount, formatReport(report)).toBe(0);
        expect(report.requests).toBe(REQUESTS);

        // Still the same process, nothing logged at error level, and it serves what it served.
        expect(server.child.exitCode).toBeNull();
        expect(server.child.signalCode).toBeNull();
        expect(errorLogLines()).toEqual([]);
        const config = { endpoint: server.url, region: "us-east-1", credentials: root, maxAttempts: 1 };
        expect((await new STSClient(config).send(new GetCallerIdentityCommand({}))).Arn).toBe("arn:aws:iam::123456789012:root");
        expect((await new IAMClient(config).send(new ListUsersCommand({}))).Users?.map((u) => u.UserName)).toContain("fuzz-admin");
        const endpoint = world.endpoint;
        const listed = await exchange(endpoint, serialize(await signS3(endpoint, { method: "GET", path: "/" }, { creds: root, service: "s3" })), { pieces: 1, then: "wait" }, DEADLINE_MS);
        expect(listed.kind === "answered" && listed.answer.status).toBe(200);
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      });
    },
    TEST_TIMEOUT_MS,
  );
});
