/**
 * The fuzz suite's engine, shared by `npm test` (a bounded run) and `npm run fuzz` (a long one):
 * the fixtures every case may name, the cases (one per index, each from its own seeded Rng, so a
 * seed and an index replay a case exactly), and the judge of each answer:
 *
 *   - an answer is a 2xx (a mutation that is still a valid call) or 304, or an error in the
 *     envelope of its service (Query's <ErrorResponse>, S3's <Error>) with a request id; never a
 *     5xx (the store never goes down here, so not even a 503) but S3's own 501 NotImplemented and
 *     503 SlowDown, which AWS answers so too; never an error without envelope;
 *   - a well-formed request is always answered; a connection may end without an answer only for
 *     what is not a whole request (bytes mangled, cut short, aborted, garbage);
 *   - nothing hangs: every exchange is over within its deadline.
 *
 * Credentials: the root key is never used by a case (it checks the server afterwards, whatever
 * the cases did to the others); requests that keep their meaning are signed by an admin user
 * (or its session), those whose bytes are mangled by a victim user, whose key may end up
 * refused for its failed signatures (MFA attempt limits) without hiding anything.
 */
import { CreateAccessKeyCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, CreateVirtualMFADeviceCommand, IAMClient, PutUserPolicyCommand, AddUserToGroupCommand, CreateGroupCommand } from "@aws-sdk/client-iam";
import { GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { OPERATIONS } from "../../src/server/routes.js";
import { chunkedFrame, formBody, serialize, signQuery, signS3, type Endpoint, type RawRequest, type S3Request } from "./fuzz-sign.js";
import { damageEncoding, garbage, mutateBytes, mutatePairs, ODD_CONTENT_TYPES, ODD_KEYS, ODD_S3_HEADERS, ODD_S3_QUERIES, ODD_XML } from "./fuzz-mutations.js";
import { operationParams, POLICY_DOCUMENT, type Fixtures } from "./fuzz-values.js";
import { exchange, type Outcome, type SendPlan } from "./fuzz-wire.js";
import { seededRng, type Rng } from "./seeded.js";
import type { Credentials } from "./server.js";

export interface FuzzWorld {
  endpoint: Endpoint;
  fixtures: Fixtures;
  admin: Credentials;
  adminSession: Credentials;
  victim: Credentials;
  victimSession: Credentials;
  uploadId: string;
}

const ADMIN_POLICY = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });

/** What the cases name, created as root through the IAM API and S3. */
export async function buildWorld(url: string, root: Credentials): Promise<FuzzWorld> {
  const config = { endpoint: url, region: "us-east-1", credentials: root, maxAttempts: 1 };
  const iam = new IAMClient(config);
  const endpoint = { host: new URL(url).hostname, port: Number(new URL(url).port) };
  const userWithKey = async (name: string, policy?: string): Promise<{ creds: Credentials; arn: string }> => {
    const { User } = await iam.send(new CreateUserCommand({ UserName: name }));
    if (policy) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "fuzz-inline", PolicyDocument: policy }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    return { creds: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! }, arn: User!.Arn! };
  };
  const session = async (creds: Credentials): Promise<Credentials> => {
    const { Credentials: c } = await new STSClient({ ...config, credentials: creds }).send(new GetSessionTokenCommand({}));
    return { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! };
  };
  const admin = await userWithKey("fuzz-admin", ADMIN_POLICY);
  const victim = await userWithKey("fuzz-victim");
  const user = await userWithKey("fuzz-user", POLICY_DOCUMENT);
  const accountId = user.arn.split(":")[4]!;
  const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: "fuzz-policy", PolicyDocument: POLICY_DOCUMENT }));
  await iam.send(new CreateGroupCommand({ GroupName: "fuzz-group" }));
  await iam.send(new AddUserToGroupCommand({ GroupName: "fuzz-group", UserName: "fuzz-user" }));
  const { VirtualMFADevice } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "fuzz-device" }));
  const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: "sts:AssumeRole" }] });
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName: "fuzz-role", AssumeRolePolicyDocument: trust }));

  const s3 = (req: S3Request) => s3Fixture(endpoint, root, req);
  await s3({ method: "PUT", path: "/fuzz-bucket" });
  await s3({ method: "PUT", path: "/fuzz-doomed" });
  await s3({ method: "PUT", path: "/fuzz-bucket/fuzz-key", body: Buffer.from("fuzz object body") });
  const created = await s3({ method: "POST", path: "/fuzz-bucket/fuzz-mpu", query: { uploads: "" } });
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created)![1]!;

  return {
    endpoint,
    fixtures: {
      accountId,
      userArn: user.arn,
      userAccessKeyId: user.creds.accessKeyId,
      policyArn: Policy!.Arn!,
      roleArn: Role!.Arn!,
      deviceSerial: VirtualMFADevice!.SerialNumber!,
    },
    admin: admin.creds,
    adminSession: await session(admin.creds),
    victim: victim.creds,
    victimSession: await session(victim.creds),
    uploadId,
  };
}

/** An S3 call of the fixtures, signed as `creds` and sent with fetch; its body (it must succeed). */
async function s3Fixture(endpoint: Endpoint, creds: Credentials, req: S3Request): Promise<string> {
  const signed = await signS3(endpoint, req, { creds, service: "s3" });
  const headers = Object.fromEntries(signed.headers.filter(([k]) => k !== "host" && k !== "content-length"));
  const res = await fetch(`http://${endpoint.host}:${endpoint.port}${signed.target}`, { method: signed.method, headers, body: req.body });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`fixture ${req.method} ${req.path}: ${res.status} ${body}`);
  return body;
}

export type Category = "query-meaning" | "query-bytes" | "s3-meaning" | "s3-bytes" | "chunked-cut" | "half-close" | "abort" | "garbage";

export interface Case {
  index: number;
  category: Category;
  bytes: Buffer;
  plan: SendPlan;
  /** A whole, well-formed request: the server must answer it. */
  mustAnswer: boolean;
}

/**
 * Requests larger than this may be refused before they are read; TCP may then lose the answer (RST).
 * Only well-formed requests wait for their answer with the connection open; everything else is
 * half-closed after its bytes, so that a request the damage left incomplete ends at once (EOF)
 * rather than at the server's limits for slow clients (15-30 s, which tls*.test.ts check).
 */
const ANSWER_ALWAYS_BELOW = 64 * 1024;
const ALL_ACTIONS = OPERATIONS.map((op) => op.action);
const POOL = 40;

const CATEGORIES: [Category, number][] = [
  ["query-meaning", 30],
  ["query-bytes", 18],
  ["s3-meaning", 17],
  ["s3-bytes", 10],
  ["chunked-cut", 5],
  ["half-close", 5],
  ["abort", 5],
  ["garbage", 10],
];

function pickCategory(rng: Rng): Category {
  let n = rng.int(CATEGORIES.reduce((sum, [, w]) => sum + w, 0));
  for (const [category, weight] of CATEGORIES) {
    if (n < weight) return category;
    n -= weight;
  }
  return "garbage";
}

/**
 * Credentials for a request whose meaning is fuzzed: mostly the admin's, sometimes none or
 * unknown; its session mostly for STS and S3 (IAM refuses sessions without MFA at the door).
 */
function meaningCreds(world: FuzzWorld, rng: Rng, service: string): Credentials | undefined {
  const n = rng.int(20);
  if (n === 0) return undefined;
  if (n === 1) return { accessKeyId: `AKIA${"FUZZ".repeat(4)}`, secretAccessKey: "unknown" };
  if (n < (service === "iam" ? 3 : 8)) return world.adminSession;
  return world.admin;
}

const bytesCreds = (world: FuzzWorld, rng: Rng): Credentials => (rng.next() < 0.6 ? world.victimSession : world.victim);

function skewedDate(rng: Rng): Date | undefined {
  if (rng.next() > 0.05) return undefined;
  return new Date(Date.now() + rng.pick([-20, 20, -60 * 24 * 8]) * 60_000);
}

async function queryRequest(world: FuzzWorld, rng: Rng, mutate: boolean): Promise<RawRequest> {
  const op = rng.pick(OPERATIONS);
  const creds = mutate ? meaningCreds(world, rng, op.service.name) : bytesCreds(world, rng);
  let pairs = operationParams(op, world.fixtures, rng);
  if (mutate && rng.next() < 0.9) pairs = mutatePairs(pairs, rng, ALL_ACTIONS);
  const service = rng.next() < 0.95 ? op.service.name : rng.pick(["sts", "iam", "s3", "ec2", ""]);
  const get = rng.next() < 0.15;
  const contentType = rng.next() < 0.85 ? "application/x-www-form-urlencoded; charset=utf-8" : rng.pick(ODD_CONTENT_TYPES);
  let body = formBody(pairs);
  if (mutate && rng.next() < 0.25) body = damageEncoding(body, rng);
  const query: Record<string, string[]> = {};
  if (get) for (const [k, v] of pairs) (query[k.toWellFormed()] ??= []).push(v.toWellFormed());
  return signQuery(
    world.endpoint,
    get ? { method: "GET", query } : { method: "POST", body, contentType, chunked: rng.next() < 0.05 },
    { creds, service, signingDate: skewedDate(rng) },
  );
}

function s3Seed(world: FuzzWorld, rng: Rng): S3Request {
  const n = rng.int(POOL);
  const data = rng.bytes(rng.pick([0, 1, 100, 2000]));
  const payload = rng.pick(["sha256", "unsigned", "chunked-trailer"] as const);
  const uploadId = world.uploadId;
  return rng.pick<S3Request>([
    { method: "GET", path: "/" },
    { method: "PUT", path: `/fuzz-b-${n}` },
    { method: "HEAD", path: "/fuzz-bucket" },
    { method: "GET", path: "/fuzz-bucket", query: { "list-type": "2", prefix: "f", delimiter: "/" } },
    { method: "GET", path: "/fuzz-bucket", query: { marker: "a", "max-keys": "5" } },
    { method: "GET", path: "/fuzz-bucket", query: { location: "" } },
    { method: "GET", path: "/fuzz-bucket", query: { uploads: "" } },
    { method: "POST", path: "/fuzz-bucket", query: { delete: "" }, body: Buffer.from(`<Delete><Object><Key>k-${n}</Key></Object></Delete>`) },
    { method: "PUT", path: `/fuzz-bucket/k-${n}`, body: data, payload },
    { method: "GET", path: "/fuzz-bucket/fuzz-key", headers: rng.next() < 0.5 ? { range: "bytes=2-5" } : {} },
    { method: "HEAD", path: "/fuzz-bucket/fuzz-key" },
    { method: "DELETE", path: `/fuzz-bucket/k-${n}` },
    { method: "PUT", path: `/fuzz-bucket/copy-${n}`, headers: { "x-amz-copy-source": "/fuzz-bucket/fuzz-key" } },
    { method: "POST", path: `/fuzz-bucket/mpu-${n}`, query: { uploads: "" } },
    { method: "PUT", path: "/fuzz-bucket/fuzz-mpu", query: { partNumber: String(rng.between(1, 3)), uploadId }, body: data, payload },
    { method: "GET", path: "/fuzz-bucket/fuzz-mpu", query: { uploadId } },
    {
      method: "POST",
      path: "/fuzz-bucket/fuzz-mpu",
      query: { uploadId },
      body: Buffer.from('<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>'),
    },
    { method: "DELETE", path: "/fuzz-doomed" },
    { method: "PUT", path: `/fuzz-b-${n}`, body: Buffer.from("<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>") },
  ]);
}

function mutateS3(req: S3Request, rng: Rng): S3Request {
  const out: S3Request = { ...req, query: { ...req.query }, headers: { ...req.headers } };
  for (let i = rng.between(1, 2); i > 0; i--) {
    switch (rng.int(6)) {
      case 0: {
        const segments = out.path.split("/");
        segments[segments.length - 1] = rng.pick(ODD_KEYS);
        out.path = segments.join("/") || "/";
        break;
      }
      case 1:
        Object.assign(out.query!, rng.pick(ODD_S3_QUERIES));
        break;
      case 2:
        Object.assign(out.headers!, rng.pick(ODD_S3_HEADERS));
        break;
      case 3:
        out.body = Buffer.from(rng.pick(ODD_XML));
        break;
      case 4:
        out.method = rng.pick(["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS"]);
        break;
      default:
        out.path = rng.pick(["/fuzz-bucket/", "//fuzz-bucket", "/FUZZ-BUCKET", "/xn--bucket", "/a", `/${"b".repeat(64)}`, "/fuzz-bucket/%", "/192.168.1.1"]) + (rng.next() < 0.5 ? "/k" : "");
    }
  }
  return out;
}

async function s3Request(world: FuzzWorld, rng: Rng, mutate: boolean): Promise<RawRequest> {
  const creds = mutate ? meaningCreds(world, rng, "s3") : bytesCreds(world, rng);
  let req = s3Seed(world, rng);
  if (mutate && rng.next() < 0.9) req = mutateS3(req, rng);
  return signS3(world.endpoint, req, { creds, service: rng.next() < 0.95 ? "s3" : rng.pick(["sts", "iam", "s4"]), signingDate: skewedDate(rng) });
}

const isHead = (bytes: Buffer) => bytes.subarray(0, 5).toString("latin1") === "HEAD ";

/** Case `index` of the run with `seed`: the same pair, the same case. */
export async function makeCase(world: FuzzWorld, seed: number, index: number): Promise<Case> {
  const rng = seededRng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const category = pickCategory(rng);
  const pieces = rng.next() < 0.8 ? 1 : rng.between(2, 6);
  const base = { index, category };
  switch (category) {
    case "query-meaning":
    case "s3-meaning": {
      const raw = category === "query-meaning" ? await queryRequest(world, rng, true) : await s3Request(world, rng, true);
      const bytes = serialize(raw);
      return { ...base, bytes, plan: { pieces, head: raw.method === "HEAD", then: "wait" }, mustAnswer: bytes.length <= ANSWER_ALWAYS_BELOW };
    }
    case "query-bytes":
    case "s3-bytes": {
      const raw = category === "query-bytes" ? await queryRequest(world, rng, false) : await s3Request(world, rng, false);
      let bytes = mutateBytes(serialize(raw), rng, world.adminSession.sessionToken!);
      // Sometimes a second request (or garbage) pipelined behind it.
      if (rng.next() < 0.1) bytes = Buffer.concat([bytes, rng.next() < 0.5 ? garbage(rng) : serialize(raw)]);
      return { ...base, bytes, plan: { pieces, head: isHead(bytes), then: "half-close" }, mustAnswer: false };
    }
    case "chunked-cut": {
      const query = rng.next() < 0.5;
      const raw = query
        ? await signQuery(world.endpoint, { method: "POST", body: formBody([["Action", "GetCallerIdentity"], ["Version", "2011-06-15"]]), contentType: "application/x-www-form-urlencoded", chunked: true }, { creds: bytesCreds(world, rng), service: "sts" })
        : await signS3(world.endpoint, { method: "PUT", path: `/fuzz-bucket/k-${rng.int(POOL)}`, body: rng.bytes(rng.between(1, 3000)), payload: "chunked-trailer" }, { creds: bytesCreds(world, rng), service: "s3" });
      if (!query && rng.next() < 0.5) {
        // Also as Transfer-Encoding: chunked framing around the aws-chunked body.
        raw.headers = raw.headers.filter(([k]) => k !== "content-length");
        raw.headers.push(["transfer-encoding", "chunked"]);
        raw.body = chunkedFrame(raw.body, rng.between(1, 4));
      }
      const bytes = serialize(raw);
      const headLength = bytes.indexOf("\r\n\r\n") + 4;
      return { ...base, bytes, plan: { pieces, upTo: headLength + rng.int(bytes.length - headLength), then: "half-close" }, mustAnswer: false };
    }
    case "half-close":
    case "abort": {
      const raw = rng.next() < 0.5 ? await queryRequest(world, rng, false) : await s3Request(world, rng, false);
      const bytes = serialize(raw);
      return { ...base, bytes, plan: { pieces, upTo: rng.int(bytes.length), then: category === "abort" ? "abort" : "half-close" }, mustAnswer: false };
    }
    default:
      return { ...base, bytes: garbage(rng), plan: { pieces, then: "half-close" }, mustAnswer: false };
  }
}

const QUERY_ENVELOPE =
  /^<ErrorResponse xmlns="https:\/\/(sts|iam)\.amazonaws\.com\/doc\/\d{4}-\d{2}-\d{2}\/">\n {2}<Error>\n {4}<Type>(Sender|Receiver)<\/Type>\n {4}<Code>[A-Za-z.]+<\/Code>\n[^]*<RequestId>[0-9a-f-]{36}<\/RequestId>\n<\/ErrorResponse>\n$/;
const S3_ENVELOPE = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error><Code>[A-Za-z0-9]+<\/Code><Message>[^]*<RequestId>[0-9A-F]{16}<\/RequestId><HostId>[^<]+<\/HostId><\/Error>$/;

/**
 * The 5xx answers that are S3's own words for a client's request, as AWS gives them (S3's error
 * code list): an API this server does not serve, and the throttling of a locked-out key.
 */
const S3_SERVER_ERRORS = new Set(["501 NotImplemented", "503 SlowDown"]);
const s3Code = (body: string) => (S3_ENVELOPE.test(body) ? /<Code>([^<]*)<\/Code>/.exec(body)?.[1] : undefined);

/** Why the outcome breaks the rules, or undefined when it keeps them. */
export function judge(c: Case, outcome: Outcome, deadlineMs: number): string | undefined {
  switch (outcome.kind) {
    case "hang":
      return `no answer and no close within ${deadlineMs} ms (got ${JSON.stringify(outcome.received)})`;
    case "aborted":
      return undefined;
    case "closed":
      return c.mustAnswer ? "the connection closed without an answer to a well-formed request" : undefined;
    case "answered": {
      const { status, headers, body, truncated } = outcome.answer;
      if (status === 0) return "an answer without an HTTP status line";
      // (A HEAD's answer has no body to tell its code: its status must be one of theirs.)
      const allowed = c.plan.head ? [...S3_SERVER_ERRORS].some((e) => e.startsWith(`${status} `)) : S3_SERVER_ERRORS.has(`${status} ${s3Code(body)}`);
      if (status >= 500 && !allowed) return `answered ${status}: ${body.slice(0, 300)}`;
      if (status < 300 || status === 304 || c.plan.head) return undefined;
      if (truncated) return `an error answer cut short: ${body.slice(0, 300)}`;
      if (QUERY_ENVELOPE.test(body)) return headers["x-amzn-requestid"] ? undefined : "a Query error without x-amzn-RequestId";
      if (S3_ENVELOPE.test(body)) return headers["x-amz-request-id"] ? undefined : "an S3 error without x-amz-request-id";
      return `answered ${status} without an AWS error envelope: ${JSON.stringify(body.slice(0, 300))}`;
    }
  }
}

export interface Failure {
  index: number;
  category: Category;
  reason: string;
  /** The request's first bytes. */
  request: string;
}

export interface Report {
  seed: number;
  requests: number;
  elapsedMs: number;
  /** Answers by HTTP status, plus "closed" and "aborted". */
  byStatus: Record<string, number>;
  byCategory: Record<string, Record<string, number>>;
  /** Error answers by status and AWS error code ("403 AccessDenied"). */
  byCode: Record<string, number>;
  failures: Failure[];
  failureCount: number;
  /** 5xx answers other than S3's own NotImplemented and SlowDown (each is also a failure). */
  unexpected5xx: number;
}

export interface RunOptions {
  seed: number;
  requests: number;
  concurrency: number;
  deadlineMs: number;
  /** Called every so often with the report so far (long runs show progress). */
  progress?: (report: Report) => void;
}

export async function runFuzz(world: FuzzWorld, options: RunOptions): Promise<Report> {
  const started = Date.now();
  const report: Report = { seed: options.seed, requests: 0, elapsedMs: 0, byStatus: {}, byCategory: {}, byCode: {}, failures: [], failureCount: 0, unexpected5xx: 0 };
  let next = 0;
  const lane = async () => {
    for (;;) {
      const index = next++;
      if (index >= options.requests) return;
      const c = await makeCase(world, options.seed, index);
      const outcome = await exchange(world.endpoint, c.bytes, c.plan, options.deadlineMs);
      const key = outcome.kind === "answered" ? String(outcome.answer.status) : outcome.kind;
      report.requests++;
      report.byStatus[key] = (report.byStatus[key] ?? 0) + 1;
      if (outcome.kind === "answered" && outcome.answer.status >= 300) {
        const code = `${outcome.answer.status} ${/<Code>([^<]*)<\/Code>/.exec(outcome.answer.body)?.[1] ?? "-"}`;
        report.byCode[code] = (report.byCode[code] ?? 0) + 1;
      }
      const byCategory = (report.byCategory[c.category] ??= {});
      byCategory[key] = (byCategory[key] ?? 0) + 1;
      const reason = judge(c, outcome, options.deadlineMs);
      if (reason !== undefined) {
        report.failureCount++;
        if (outcome.kind === "answered" && outcome.answer.status >= 500) report.unexpected5xx++;
        if (report.failures.length < 20) report.failures.push({ index, category: c.category, reason, request: c.bytes.subarray(0, 400).toString("latin1") });
      }
      if (options.progress && report.requests % 10_000 === 0) options.progress({ ...report, elapsedMs: Date.now() - started });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  report.elapsedMs = Date.now() - started;
  return report;
}

const sortedCounts = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ");

export function formatReport(report: Report): string {
  const s3Own = Object.entries(report.byStatus)
    .filter(([status]) => Number(status) >= 500)
    .reduce((sum, [, n]) => sum + n, 0) - report.unexpected5xx;
  const lines = [
    `fuzz seed ${report.seed}: ${report.requests} requests in ${(report.elapsedMs / 1000).toFixed(1)} s (${Math.round(report.requests / (report.elapsedMs / 1000))}/s), ${report.failureCount} failures`,
    `  5xx: ${report.unexpected5xx} (besides ${s3Own} of S3's own 501 NotImplemented and 503 SlowDown, which AWS answers so too)`,
    `  by status: ${sortedCounts(report.byStatus)}`,
    ...Object.entries(report.byCategory)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([category, counts]) => `  ${category.padEnd(13)} ${sortedCounts(counts)}`),
    `  error codes: ${Object.entries(report.byCode)
      .sort(([, a], [, b]) => b - a)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  ];
  for (const f of report.failures) lines.push(`  FAIL case ${f.index} (${f.category}): ${f.reason}\n    request: ${JSON.stringify(f.request)}`);
  return lines.join("\n");
}
