// `npm run bench`: the server and the CLI against the ceiling and the peers, on this machine, in
// one run. Writes bench/results.json (every figure) and bench/results.md (tables, targets).
//
// Servers run on 127.0.0.1 on random ports, each in its own process; the load comes from
// autocannon in another process (bench/lib/load-worker.js), cycling through pre-signed requests.
// Every process it starts is killed at the end, even on error, and the PostgreSQL database it
// creates is dropped.
//
// Settings (environment):
//   BENCH_DURATION   seconds measured per point (default 5)
//   BENCH_WARMUP     seconds of warm-up before each point, not counted (default 1)
//   BENCH_CLI_RUNS   measured runs per CLI command (default 11, plus one warm-up)
//   BENCH_TARGET_ROUNDS  back-to-back rounds of ceiling / main call / 100 000 users for the targets (default 3)
//   BENCH_WORKERS    pass --workers N to `mfa-sts serve` (default: serve's own default)
//   BENCH_PG_URL     PostgreSQL server to create the bench database on
//                    (default postgres://postgres@127.0.0.1:5432/test)
//   BENCH_POLICY_ROUNDS  back-to-back rounds of the policy section, the order alternating (default 2)
//   BENCH_S3_ROUNDS  back-to-back rounds of the S3 GET and ListObjectsV2 targets, the order alternating (default 2)
//   BENCH_ONLY       comma-separated sections to run: ceiling,moto,main,mfa,iam,cli,workers,pg,scale,policy,s3,profile
//                    A run with BENCH_ONLY merges into the existing bench/results.json: what it
//                    measured replaces the same scenarios / rounds / profile, everything else is
//                    kept, and results.md lists the partial runs since the last full one. A run
//                    without BENCH_ONLY writes both files afresh.
import { execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { freePort, killAll, runCommand, startListening, stop, track } from "./lib/procs.js";
import { seedUsers } from "./lib/seed.js";
import { callQuery, createUser, GET_CALLER_IDENTITY, getSession, getSessionToken, signQuery, xmlText } from "./lib/sign.js";
import { mergeResults, median, writeReport } from "./lib/report.js";
import { benchPolicyDocument, iamPolicySize, statementsNaming } from "./lib/policies.js";
import { summarizeProfile } from "./lib/profile.js";
import { memoryOf, processTree, REGION, s3Call, sampleMemory, seedObjects, signS3 } from "./lib/s3.js";
import { timeStep, totpCode } from "../dist/mfa/totp.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..");
const BIN = join(ROOT, "bin", "mfa-sts.cjs");
const WORKER = join(HERE, "lib", "load-worker.js");
const ACCOUNT_ID = "123456789012";

const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 1);
const CLI_RUNS = Number(process.env.BENCH_CLI_RUNS ?? 11);
const CONNECTIONS = [1, 16, 64];
const CYCLE_POOL = 256;
const SCALE_SESSIONS = 1000;
const TARGET_ROUNDS = Number(process.env.BENCH_TARGET_ROUNDS ?? 3);
const POLICY_ROUNDS = Number(process.env.BENCH_POLICY_ROUNDS ?? 2);
const PG_URL = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",").map((s) => s.trim())) : undefined;
const wants = (section) => !ONLY || ONLY.has(section);

const started = Date.now();
const tmp = mkdtempSync(join(tmpdir(), "mfa-sts-bench-"));
const cleanups = [];
let specCount = 0;

const log = (text) => {
  const s = Math.round((Date.now() - started) / 1000);
  process.stderr.write(`[${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}] ${text}\n`);
};

const results = {
  date: new Date().toISOString(),
  settings: {
    warmupSeconds: WARMUP_S,
    durationSeconds: DURATION_S,
    connections: CONNECTIONS,
    cliRuns: CLI_RUNS,
    workers: process.env.BENCH_WORKERS ? Number(process.env.BENCH_WORKERS) : "serve's default",
    loadGenerator: "",
    dataDir: tmp,
  },
  machine: {},
  scenarios: {},
  cli: undefined,
  targets: [],
  errors: [],
};

// ---------------------------------------------------------------------------------------------
// Measuring

/**
 * One point: warm-up then measurement, in a separate load-generator process. `timing` overrides
 * the seconds of warm-up and measurement ({ warmupS, durationS }), and may ask that every answer's
 * body be `expectBodyBytes` long (the point's `wrongLength` counts those that are not).
 */
async function measure(url, requests, connections, mode = "cycle", closing = false, timing = {}) {
  const spec = join(tmp, `spec-${specCount++}.json`);
  const warmupS = timing.warmupS ?? WARMUP_S;
  const durationS = timing.durationS ?? DURATION_S;
  const expectBodyBytes = timing.expectBodyBytes;
  writeFileSync(spec, JSON.stringify({ url, connections, warmupS, durationS, mode, closing, expectBodyBytes, requests }));
  // The machine's 1-minute load average before the point: other work on the machine shows here.
  const load = Math.round(loadavg()[0] * 100) / 100;
  try {
    const r = await runCommand(process.execPath, [WORKER, spec], {
      env: process.env,
      timeoutMs: (warmupS + durationS) * 1000 + 60_000,
    });
    if (r.code !== 0) throw new Error(`load generator exited ${r.code}: ${r.stderr.slice(-2000)}`);
    return { ...JSON.parse(r.stdout.trim().split("\n").pop()), loadBefore: load };
  } finally {
    unlinkSync(spec);
  }
}

function scenario(id, fields) {
  results.scenarios[id] = { ...fields, runs: [] };
  return results.scenarios[id];
}

function record(sc, point) {
  sc.runs.push(point);
  const bad = point.non2xx + point.errors + point.timeouts + (point.wrongLength ?? 0);
  log(
    `${sc.title} c=${point.connections}: ${point.rps} req/s, p50 ${point.p50} ms, p99 ${point.p99} ms` +
      (bad ? `, ${bad} non-2xx/errors/wrong lengths ${JSON.stringify(point.statuses)}` : "") +
      (point.exhausted ? " (pool used up: stopped early)" : ""),
  );
}

/** A pool of `size` requests signed in turn by each of `signers` (credentials). */
async function cyclePool(url, signers, service, params, size = CYCLE_POOL) {
  const pool = [];
  for (let i = 0; i < size; i++) pool.push(await signQuery(url, signers[i % signers.length], service, params));
  return pool;
}

async function runCycle(sc, url, pool, closing = false) {
  for (const c of CONNECTIONS) record(sc, await measure(url, pool, c, "cycle", closing));
}

const rpsAt = (sc, c) => sc?.runs.find((r) => r.connections === c)?.rps;

// ---------------------------------------------------------------------------------------------
// Servers

async function mfaStsInit(storeArgs, env = {}) {
  const r = await runCommand(process.execPath, [BIN, "init", ...storeArgs, "--account-id", ACCOUNT_ID, "--json"], {
    env: { ...process.env, ...env },
  });
  if (r.code !== 0) throw new Error(`mfa-sts init failed (${r.code}): ${r.stderr}`);
  const j = JSON.parse(r.stdout);
  return { accessKeyId: j.AccessKeyId, secretAccessKey: j.SecretAccessKey };
}

function serveArgs(storeArgs, workers = process.env.BENCH_WORKERS) {
  return [BIN, "serve", ...storeArgs, "--host", "127.0.0.1", "--port", "0", ...(workers ? ["--workers", String(workers)] : [])];
}

async function mfaStsServe(storeArgs, env = {}, workers) {
  return startListening(process.execPath, serveArgs(storeArgs, workers), { env });
}

async function waitForHttp(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url, { method: "GET" });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Sessions (GetSessionToken over HTTP) for `users`, a few at a time. */
async function sessionsFor(url, users) {
  const out = new Array(users.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < users.length) {
        const i = next++;
        out[i] = await getSession(url, users[i]);
      }
    }),
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sections

/** `serve`'s default number of worker processes on this machine (one per core). */
const CORES = availableParallelism();
const EXAMPLE_CREDS = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };

/** The ceiling server, as one process or as `processes` sharing the port (node:cluster). */
const startCeiling = (processes = 1) => startListening(process.execPath, [join(HERE, "lib", "ceiling-server.js"), String(processes)]);

async function benchCeiling() {
  const sc = scenario("ceiling", { title: "Ceiling: bare node:http, 400-byte XML", server: "node:http", call: "any POST" });
  const srv = await startCeiling();
  try {
    await runCycle(sc, srv.url, await cyclePool(srv.url, [EXAMPLE_CREDS], "sts", GET_CALLER_IDENTITY));
  } finally {
    await stop(srv.child);
  }
  if (CORES < 2) return;
  // Not a target: what the same bare server does as one process per core, like `serve`'s default.
  const cluster = scenario("ceiling-cluster", {
    title: `Ceiling as ${CORES} processes (node:cluster, like serve's default)`,
    server: "node:http, node:cluster",
    call: "any POST",
  });
  const many = await startCeiling(CORES);
  try {
    await runCycle(cluster, many.url, await cyclePool(many.url, [EXAMPLE_CREDS], "sts", GET_CALLER_IDENTITY));
  } finally {
    await stop(many.child);
  }
}

/** A program on PATH; behind a pyenv shim (a shell and a lookup per call), the real program. */
function realProgram(name) {
  try {
    const onPath = execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
    if (!onPath) return undefined;
    if (!onPath.includes("/shims/")) return onPath;
    return execFileSync("pyenv", ["which", name], { encoding: "utf8" }).trim() || onPath;
  } catch {
    return undefined;
  }
}

/** Looked up once: each lookup behind a pyenv shim starts a shell and pyenv. */
const MOTO_SERVER = realProgram("moto_server");

async function benchMoto() {
  const sc = scenario("moto-gci", { title: "moto_server GetCallerIdentity", server: "moto_server", call: "GetCallerIdentity" });
  const moto = MOTO_SERVER;
  if (!moto) {
    sc.skipped = "moto_server is not on PATH";
    return;
  }
  const { child, url } = await startMoto(moto);
  try {
    // Werkzeug answers `Connection: close`: a new connection per request (load-worker.js `closing`).
    sc.client = "node:http loop, a new connection per request (moto closes every connection)";
    await runCycle(sc, url, await cyclePool(url, [EXAMPLE_CREDS], "sts", GET_CALLER_IDENTITY), true);
  } finally {
    await stop(child);
  }
}

async function startMoto(moto) {
  const port = await freePort();
  const child = track(spawn(moto, ["-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" }));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(url);
  } catch (e) {
    await stop(child);
    throw e;
  }
  return { child, url };
}

/**
 * The embedded SQLite store with 10 users: GetCallerIdentity (long-term key, session),
 * GetSessionToken (without and with MFA), CreateUser, and the CLI wall times.
 */
async function benchMain() {
  const dir = join(tmp, "main");
  const storeArgs = ["--data-dir", dir];
  const root = await mfaStsInit(storeArgs);
  const users = await seedUsers({ dataDir: dir }, ACCOUNT_ID, { count: 10, prefix: "user" });
  const srv = await mfaStsServe(storeArgs);
  const url = srv.url;
  const store = "SQLite, 10 users";
  try {
    const sessions = await sessionsFor(url, users);

    if (wants("main")) {
      await runCycle(
        scenario("gci-longterm", { title: "mfa-sts GetCallerIdentity, long-term key", store, call: "GetCallerIdentity" }),
        url,
        await cyclePool(url, users, "sts", GET_CALLER_IDENTITY),
      );
      await runCycle(
        scenario("gci-session", { title: "mfa-sts GetCallerIdentity, session credentials", store, call: "GetCallerIdentity" }),
        url,
        await cyclePool(url, sessions, "sts", GET_CALLER_IDENTITY),
      );
    }
    if (wants("main") || wants("mfa")) {
      await runCycle(
        scenario("gst", { title: "mfa-sts GetSessionToken, no MFA", store, call: "GetSessionToken" }),
        url,
        await cyclePool(url, users, "sts", getSessionToken()),
      );
    }
    if (wants("mfa")) await benchMfa(url, dir);
    if (wants("iam")) await benchCreateUser(url, root);
    if (wants("cli")) await benchCli(url, dir);
  } finally {
    await stop(srv.child);
  }
}

/**
 * How fast a call that uses up its requests may go at `c` connections, to size its pool: no faster
 * than `reference` (a cheaper call), nor, with more connections, by much than at the fewer before.
 */
const expectedRps = (reference, c, previous) =>
  Math.min(rpsAt(reference, c) ?? 5000, previous === undefined ? Infinity : Math.max(2000, 3 * previous));

/**
 * GetSessionToken with MFA: every request is a different user with its own enabled virtual
 * device and a fresh code. A device accepts each 30-second step once, and a code is good for its
 * step ±1, so each device gives two requests per run: the codes of the current step s and of s+1
 * (both accepted for at least 30 s from now), all s codes first. Devices are made for each point,
 * as many as the no-MFA throughput says it can use, plus a margin.
 */
async function benchMfa(url, dir) {
  const sc = scenario("gst-mfa", {
    title: "mfa-sts GetSessionToken with MFA (one fresh code per request)",
    store: "SQLite, 10 users + the MFA users",
    call: "GetSessionToken",
  });
  const noMfa = results.scenarios.gst;
  let previous;
  for (const c of CONNECTIONS) {
    // It cannot be faster than without MFA.
    const expected = expectedRps(noMfa, c, previous);
    const devices = Math.min(60_000, Math.max(500, Math.ceil((expected * (WARMUP_S + DURATION_S) * 1.5) / 2)));
    const mfaUsers = await seedUsers({ dataDir: dir }, ACCOUNT_ID, { count: devices, prefix: `mfa${c}-`, mfa: true });
    const begun = Date.now();
    const step = timeStep(begun);
    const pool = [];
    for (const s of [step, step + 1]) {
      for (const u of mfaUsers) {
        pool.push(await signQuery(url, u, "sts", getSessionToken({ SerialNumber: u.serialNumber, TokenCode: totpCode(u.seed, s) })));
      }
    }
    const point = await measure(url, pool, c, "once");
    point.devices = devices;
    if (Date.now() - begun > 30_000) point.note = "the codes were made more than 30 s before the end: some may have been refused as stale";
    sc.users = (sc.users ?? 10) + devices;
    record(sc, point);
    previous = point.rps;
  }
}

/** CreateUser as root: a new user name per request. */
async function benchCreateUser(url, root) {
  const sc = scenario("create-user", { title: "mfa-sts CreateUser (IAM write), root key", store: "SQLite", call: "CreateUser" });
  const reference = results.scenarios["gci-longterm"];
  let previous;
  for (const c of CONNECTIONS) {
    const expected = expectedRps(reference, c, previous);
    const size = Math.min(150_000, Math.max(1000, Math.ceil(expected * (WARMUP_S + DURATION_S) * 1.3)));
    const pool = [];
    for (let i = 0; i < size; i++) pool.push(await signQuery(url, root, "iam", createUser(`bench-${c}-${i}`)));
    const point = await measure(url, pool, c, "once");
    record(sc, point);
    previous = point.rps;
  }
}

/** aws CLI v1: `aws` on PATH (the real program behind a pyenv shim, whose own start-up is not aws's). */
const AWS_V1 = realProgram("aws");

/**
 * Wall time of one `get-session-token` from process start to exit: mfa-sts, aws CLI v2 and v1,
 * all against the server at `url` with the same user's keys; `mfa-sts login --force` with an
 * MFA code (a different user per run, since a code is accepted once); and the start-up floor:
 * `node -e 0` beside `mfa-sts get-session-token --generate-cli-skeleton` (no request).
 */
async function benchCli(url, dir) {
  const home = join(tmp, "home");
  mkdirSync(join(home, ".aws"), { recursive: true });
  const credentialsFile = join(home, ".aws", "credentials");
  const base = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CACHE_HOME: join(home, ".cache"),
    XDG_CONFIG_HOME: join(home, ".config"),
    AWS_CONFIG_FILE: join(home, ".aws", "config"),
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_PAGER: "",
    LANG: "C.UTF-8",
  };
  writeFileSync(base.AWS_CONFIG_FILE, "");
  const [user] = await seedUsers({ dataDir: dir }, ACCOUNT_ID, { count: 1, prefix: "cli" });
  const loginUsers = await seedUsers({ dataDir: dir }, ACCOUNT_ID, { count: CLI_RUNS + 1, prefix: "login", mfa: true });
  writeFileSync(
    credentialsFile,
    loginUsers
      .map(
        (u, i) =>
          `[b${i}-long-term]\naws_access_key_id = ${u.accessKeyId}\naws_secret_access_key = ${u.secretAccessKey}\naws_mfa_device = ${u.serialNumber}\n`,
      )
      .join("\n"),
  );
  const keyEnv = { ...base, AWS_ACCESS_KEY_ID: user.accessKeyId, AWS_SECRET_ACCESS_KEY: user.secretAccessKey };
  const gst = ["sts", "get-session-token", "--endpoint-url", url];
  const tools = [
    // Node's own start-up, the floor of every mfa-sts command (issue 15).
    { name: "node -e 0", command: process.execPath, args: () => ["-e", "0"], env: keyEnv, expect: /^$/ },
    {
      name: "mfa-sts get-session-token --generate-cli-skeleton",
      command: process.execPath,
      args: () => [BIN, "get-session-token", "--generate-cli-skeleton"],
      env: keyEnv,
      expect: /"DurationSeconds": 0/,
    },
    { name: "mfa-sts get-session-token", command: process.execPath, args: () => [BIN, ...gst.slice(1)], env: keyEnv },
    {
      name: "mfa-sts login --force --token-code (MFA)",
      command: process.execPath,
      args: (i) => [BIN, "login", "--profile", `b${i}`, "--force", "--token-code", totpCode(loginUsers[i].seed, timeStep(Date.now()))],
      env: { ...base, AWS_ENDPOINT_URL_STS: url },
      expect: /Logged in: \[b\d+\]/,
    },
  ];
  if (existsSync("/usr/bin/aws")) tools.push({ name: "aws CLI v2 sts get-session-token", command: "/usr/bin/aws", args: () => gst, env: keyEnv });
  const v1 = AWS_V1;
  if (v1) tools.push({ name: "aws CLI v1 sts get-session-token", command: v1, args: () => gst, env: keyEnv });

  const cli = { runs: CLI_RUNS, warmupRuns: 1, url: "same local mfa-sts server (SQLite)", tools: {} };
  for (const t of tools) {
    const shown = [t.command === process.execPath ? "node" : t.command, ...t.args(0)]
      .join(" ")
      .replace(url, "URL")
      .replace(`${ROOT}/`, "")
      .replace(/--profile b0 /, "--profile bN ")
      .replace(/--token-code \d+/, "--token-code CODE");
    cli.tools[t.name] = { command: shown, ms: [] };
  }
  for (let i = 0; i <= CLI_RUNS; i++) {
    for (const t of tools) {
      const r = await runCommand(t.command, t.args(i), { env: t.env, timeoutMs: 60_000 });
      const ok = r.code === 0 && (t.expect ? t.expect.test(r.stdout + r.stderr) : r.stdout.includes("SessionToken"));
      if (!ok) throw new Error(`${t.name} failed (exit ${r.code}): ${r.stderr.slice(-1000)}${r.stdout.slice(-500)}`);
      if (i > 0) cli.tools[t.name].ms.push(Math.round(r.ms));
    }
  }
  for (const [name, t] of Object.entries(cli.tools)) {
    t.medianMs = median(t.ms);
    log(`CLI ${name}: median ${t.medianMs} ms (${t.ms.join(", ")})`);
  }
  results.cli = cli;
}

/**
 * The main call on one server process (`serve --workers 1`), beside the default of one worker
 * per core: what a single process does, as the ceiling is a single process.
 */
async function benchWorkers() {
  const workers = 1;
  const dir = join(tmp, "workers");
  const storeArgs = ["--data-dir", dir];
  await mfaStsInit(storeArgs);
  const users = await seedUsers({ dataDir: dir }, ACCOUNT_ID, { count: 10, prefix: "user" });
  const srv = await mfaStsServe(storeArgs, {}, workers);
  try {
    const sessions = await sessionsFor(srv.url, users);
    await runCycle(
      scenario("gci-session-workers", {
        title: `mfa-sts GetCallerIdentity, session credentials, serve --workers ${workers} (one process)`,
        store: "SQLite, 10 users",
        call: "GetCallerIdentity",
      }),
      srv.url,
      await cyclePool(srv.url, sessions, "sts", GET_CALLER_IDENTITY),
    );
  } finally {
    await stop(srv.child);
  }
}

/** The same calls on PostgreSQL: a database made for the run, dropped at the end. */
async function benchPostgres() {
  const pg = createRequire(import.meta.url)("pg");
  const admin = new pg.Client({ connectionString: PG_URL });
  try {
    await admin.connect();
  } catch (e) {
    for (const id of ["pg-gci-session", "pg-gci-longterm"]) {
      scenario(id, { title: id, skipped: `PostgreSQL not reachable at ${PG_URL}: ${e.message}` });
    }
    return;
  }
  const name = `mfa_sts_bench_${process.pid}_${randomBytes(3).toString("hex")}`;
  const dropDatabase = async () => {
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  };
  let dropped = false;
  const dropOnce = async () => {
    if (dropped) return;
    dropped = true;
    await dropDatabase();
  };
  cleanups.push(dropOnce);
  results.machine.postgres = (await admin.query("SELECT version()")).rows[0].version;
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(PG_URL);
    url.pathname = `/${name}`;
    const db = url.toString();
    const masterKey = randomBytes(32).toString("base64");
    const env = { MFA_STS_MASTER_KEY: masterKey };
    const storeArgs = ["--db", db];
    await mfaStsInit(storeArgs, env);
    const users = await seedUsers({ db, masterKey }, ACCOUNT_ID, { count: 10, prefix: "user" });
    const srv = await mfaStsServe(storeArgs, env);
    try {
      const store = "PostgreSQL, 10 users";
      const sessions = await sessionsFor(srv.url, users);
      await runCycle(
        scenario("pg-gci-session", { title: "mfa-sts GetCallerIdentity, session credentials, PostgreSQL", store, call: "GetCallerIdentity" }),
        srv.url,
        await cyclePool(srv.url, sessions, "sts", GET_CALLER_IDENTITY),
      );
      await runCycle(
        scenario("pg-gci-longterm", { title: "mfa-sts GetCallerIdentity, long-term key, PostgreSQL", store, call: "GetCallerIdentity" }),
        srv.url,
        await cyclePool(srv.url, users, "sts", GET_CALLER_IDENTITY),
      );
    } finally {
      await stop(srv.child);
    }
  } finally {
    await dropOnce();
  }
}

/**
 * Store scale: GetCallerIdentity with session credentials on SQLite stores of 10, 10 000 and
 * 100 000 users (each with an access key). The pool spreads over up to 1000 users of the store.
 * The three servers run side by side and the sizes take turns at each connection count, so a
 * slow moment of the machine does not land on one size only.
 */
async function benchScale() {
  const sizes = [10, 10_000, 100_000];
  const stores = [];
  try {
    for (const n of sizes) {
      const dir = join(tmp, `scale-${n}`);
      const storeArgs = ["--data-dir", dir];
      await mfaStsInit(storeArgs);
      const t0 = Date.now();
      const users = await seedUsers({ dataDir: dir }, ACCOUNT_ID, { count: n, prefix: "s" });
      log(`seeded ${n} users in ${Date.now() - t0} ms`);
      const srv = await mfaStsServe(storeArgs);
      stores.push({ n, srv });
      // The same load on every store: SCALE_SESSIONS sessions, of as many different users as the
      // store has (10 users: 100 sessions each), spread over the whole store.
      const k = SCALE_SESSIONS;
      const picked = Array.from({ length: k }, (_, i) => users[Math.floor((i * n) / k)]);
      const sessions = await sessionsFor(srv.url, picked);
      stores.at(-1).sc = scenario(`scale-${n}`, {
        title: `mfa-sts GetCallerIdentity, session credentials, ${n.toLocaleString("en-US")} users`,
        store: `SQLite, ${n.toLocaleString("en-US")} users`,
        users: n,
        call: "GetCallerIdentity",
        sessions: k,
        sessionUsers: Math.min(n, k),
      });
      stores.at(-1).pool = await cyclePool(srv.url, sessions, "sts", GET_CALLER_IDENTITY, Math.max(CYCLE_POOL, k));
    }
    for (const c of CONNECTIONS) {
      for (const { srv, sc, pool } of stores) record(sc, await measure(srv.url, pool, c));
    }
    await targetRounds(stores[0], stores[stores.length - 1]);
  } finally {
    for (const { srv } of stores) await stop(srv.child);
  }
}

/**
 * The targets compare figures that the machine's mood can move apart when they are measured
 * minutes apart. So they are also measured back to back, TARGET_ROUNDS times at 16 connections:
 * the ceiling, the main call on the 10-user store, the main call on the 100 000-user store, and
 * moto_server (its speed moves with the machine as much as ours). The targets use the medians
 * over the rounds.
 */
async function targetRounds(small, large) {
  const ceiling = await startCeiling();
  const ceilingCluster = CORES > 1 ? await startCeiling(CORES) : undefined;
  const moto = MOTO_SERVER ? await startMoto(MOTO_SERVER) : undefined;
  try {
    const ceilingPool = await cyclePool(ceiling.url, [EXAMPLE_CREDS], "sts", GET_CALLER_IDENTITY);
    const clusterPool = ceilingCluster && (await cyclePool(ceilingCluster.url, [EXAMPLE_CREDS], "sts", GET_CALLER_IDENTITY));
    const motoPool = moto && (await cyclePool(moto.url, [EXAMPLE_CREDS], "sts", GET_CALLER_IDENTITY));
    results.targetRounds = [];
    for (let round = 1; round <= TARGET_ROUNDS; round++) {
      const c = await measure(ceiling.url, ceilingPool, 16);
      const main = await measure(small.srv.url, small.pool, 16);
      const big = await measure(large.srv.url, large.pool, 16);
      const peer = moto && (await measure(moto.url, motoPool, 16, "cycle", true));
      const many = ceilingCluster && (await measure(ceilingCluster.url, clusterPool, 16));
      const pick = (p) => p && { rps: p.rps, p50: p.p50, p99: p.p99, bad: p.non2xx + p.errors + p.timeouts, loadBefore: p.loadBefore };
      results.targetRounds.push({ round, ceiling: pick(c), main: pick(main), large: pick(big), moto: pick(peer), ceilingCluster: pick(many), largeUsers: large.n });
      log(
        `target round ${round}: ceiling ${c.rps}, main call ${main.rps} (p99 ${main.p99} ms), ${large.n} users ${big.rps}, moto ${peer?.rps ?? "n/a"} req/s: ` +
          `${(main.rps / c.rps).toFixed(2)} × ceiling, ${(big.rps / main.rps).toFixed(2)} × 10 users` +
          (peer ? `, ${(main.rps / peer.rps).toFixed(1)} × moto` : ""),
      );
    }
  } finally {
    await stop(ceiling.child);
    if (ceilingCluster) await stop(ceilingCluster.child);
    if (moto) await stop(moto.child);
  }
}

const GET_USER_SELF = { Action: "GetUser", Version: "2010-05-08" };
const POLICY_USER = "bench-policy";
const POLICY_COUNT = 10;
const MANAGED_POLICY_LIMIT = 6144;
/** Seconds of load on each call before the first round, not counted. */
const POLICY_WARMUP_S = 3;

/**
 * IAM authorization by policy (issue 12): GetUser without UserName (the caller itself), signed
 * by an IAM user's long-term key whose permissions come from 10 attached customer managed
 * policies of 20 statements each (bench/lib/policies.js: allowed, no Deny applies, so nothing
 * ends an evaluation early), against the same call signed by the root key (never evaluated by
 * policy). Everything is set up through the IAM API as root, on one `serve` (default workers,
 * SQLite). The two are measured back to back at 16 connections, POLICY_ROUNDS rounds, the order
 * alternating so that a drift of the machine does not favour one side; every answer must be a
 * 200 (and samples before and after each round the expected XML), else the section fails.
 */
async function benchPolicy() {
  // Set first: if the section fails, a partial run's merge must not keep an earlier run's rounds.
  results.policyRounds = [];
  const dir = join(tmp, "policy");
  const storeArgs = ["--data-dir", dir];
  const root = await mfaStsInit(storeArgs);
  const srv = await mfaStsServe(storeArgs);
  const url = srv.url;
  try {
    const { user, userId, documents } = await setUpPolicyUser(url, root);
    const userArn = `arn:aws:iam::${ACCOUNT_ID}:user/${POLICY_USER}`;
    const checks = async () => {
      await checkGetUser(url, user, { UserName: POLICY_USER, UserId: userId, Arn: userArn });
      await checkGetUser(url, root, { UserId: ACCOUNT_ID, Arn: `arn:aws:iam::${ACCOUNT_ID}:root` });
    };
    await checks();
    // The policies are in force: the same user may not read another user (the Deny of reads
    // outside its own ARN applies), so the 200s above are the engine's allow, not a bypass.
    await callQuery(url, root, "iam", createUser(`${POLICY_USER}-other`), 200);
    const other = await callQuery(url, user, "iam", { ...GET_USER_SELF, UserName: `${POLICY_USER}-other` });
    if (other.status !== 403 || xmlText(other.xml, "Error", "Code") !== "AccessDenied") {
      throw new Error(`GetUser of another user by ${POLICY_USER} should be AccessDenied, got ${other.status}: ${other.body.slice(0, 1000)}`);
    }

    const sizes = documents.map(iamPolicySize);
    const naming = documents.map((d) => statementsNaming(d, "iam:GetUser"));
    const statements = documents.reduce((n, d) => n + JSON.parse(d).Statement.length, 0);
    const allowNaming = naming.reduce((n, x) => n + x.allow, 0);
    const denyNaming = naming.reduce((n, x) => n + x.deny, 0);
    const notActionOthers = naming.reduce((n, x) => n + x.notAction, 0);
    const policies = {
      count: documents.length,
      statements,
      sizes,
      limit: MANAGED_POLICY_LIMIT,
      namingGetUser: { allow: allowNaming, deny: denyNaming, notActionLeavingItOut: notActionOthers },
      denial: "GetUser of another user by the same user: AccessDenied",
    };
    const userSc = scenario("policy-getuser-user", {
      title: `mfa-sts GetUser on self (IAM read), user with ${documents.length} × ${statements / documents.length}-statement managed policies, long-term key`,
      store:
        `SQLite; ${documents.length} customer managed policies attached (${statements} statements, ` +
        `${Math.min(...sizes).toLocaleString("en-US")}–${Math.max(...sizes).toLocaleString("en-US")} of ${MANAGED_POLICY_LIMIT.toLocaleString("en-US")} characters each); ` +
        `${allowNaming + denyNaming} statements match iam:GetUser (${allowNaming} Allow, ${denyNaming} Deny) and ${notActionOthers} more Deny NotAction leave it out; ` +
        "GetUser on self is allowed, no Deny applies",
      call: "GetUser",
      policies,
      warmUpSecondsBeforeRounds: POLICY_WARMUP_S,
    });
    const rootSc = scenario("policy-getuser-root", {
      title: "mfa-sts GetUser on self (IAM read), root key (no policy evaluation)",
      store: "SQLite, the same server",
      call: "GetUser",
    });
    const pools = {
      user: await cyclePool(url, [user], "iam", GET_USER_SELF),
      root: await cyclePool(url, [root], "iam", GET_USER_SELF),
    };
    const scenarios = { user: userSc, root: rootSc };
    // A fresh server: both calls get the JIT and the caches warm before anything is counted
    // (the first point of a cold server came out at half the speed of the same point later).
    for (const who of ["user", "root"]) {
      const w = await measure(url, pools[who], 16, "cycle", false, { warmupS: 0, durationS: POLICY_WARMUP_S });
      log(`policy warm-up, GetUser as ${who}: ${w.rps} req/s (not counted)`);
    }
    const pick = (p) => ({ rps: p.rps, p50: p.p50, p99: p.p99, bad: p.non2xx + p.errors + p.timeouts, loadBefore: p.loadBefore });
    for (let round = 1; round <= POLICY_ROUNDS; round++) {
      const order = round % 2 === 1 ? ["user", "root"] : ["root", "user"];
      const points = {};
      for (const who of order) {
        const p = await measure(url, pools[who], 16);
        const statuses = Object.keys(p.statuses ?? {});
        if (p.non2xx + p.errors + p.timeouts > 0 || statuses.some((s) => s !== "200") || p.ok === 0) {
          throw new Error(
            `GetUser as ${who === "user" ? POLICY_USER : "root"}, round ${round}: not every answer was 200 ` +
              `(statuses ${JSON.stringify(p.statuses)}, ${p.errors} errors, ${p.timeouts} timeouts): the comparison would be meaningless`,
          );
        }
        p.round = round;
        p.note = `round ${round}, measured ${order.indexOf(who) === 0 ? "first" : "second"}`;
        record(scenarios[who], p);
        points[who] = p;
      }
      await checks();
      results.policyRounds.push({ round, order, user: pick(points.user), root: pick(points.root) });
      log(
        `policy round ${round} (${order.join(" then ")}): user ${points.user.rps} req/s (p99 ${points.user.p99} ms), ` +
          `root ${points.root.rps} req/s (p99 ${points.root.p99} ms): ${(points.user.rps / points.root.rps).toFixed(3)} × root`,
      );
    }
  } finally {
    await stop(srv.child);
  }
}

/**
 * As root, through the IAM API: the user with an access key, and POLICY_COUNT customer managed
 * policies attached to it. Returns the user's credentials, its id and the policy documents.
 */
async function setUpPolicyUser(url, root) {
  const iam = (params) => callQuery(url, root, "iam", { Version: "2010-05-08", ...params }, 200);
  const created = await iam({ Action: "CreateUser", UserName: POLICY_USER });
  const userId = xmlText(created.xml, "CreateUserResult", "User", "UserId");
  const key = await iam({ Action: "CreateAccessKey", UserName: POLICY_USER });
  const field = (name) => xmlText(key.xml, "CreateAccessKeyResult", "AccessKey", name);
  const user = { accessKeyId: field("AccessKeyId"), secretAccessKey: field("SecretAccessKey") };
  if (!userId || !user.accessKeyId || !user.secretAccessKey) throw new Error(`CreateUser / CreateAccessKey: unexpected answers\n${created.body}\n${key.body}`);
  const documents = [];
  for (let i = 0; i < POLICY_COUNT; i++) {
    const document = benchPolicyDocument(ACCOUNT_ID, i);
    const size = iamPolicySize(document);
    if (size > MANAGED_POLICY_LIMIT) throw new Error(`bench policy ${i} has ${size} characters, over IAM's ${MANAGED_POLICY_LIMIT}`);
    const policy = await iam({
      Action: "CreatePolicy",
      PolicyName: `${POLICY_USER}-${i}`,
      Path: "/bench/",
      Description: `bench policy ${i}: 20 statements`,
      PolicyDocument: document,
    });
    const arn = xmlText(policy.xml, "CreatePolicyResult", "Policy", "Arn");
    if (!arn) throw new Error(`CreatePolicy: no Arn in ${policy.body}`);
    await iam({ Action: "AttachUserPolicy", UserName: POLICY_USER, PolicyArn: arn });
    documents.push(document);
  }
  const attached = await iam({ Action: "ListAttachedUserPolicies", UserName: POLICY_USER });
  const members = attachedCount(attached.xml);
  if (members !== POLICY_COUNT) throw new Error(`ListAttachedUserPolicies: ${members} policies attached, expected ${POLICY_COUNT}\n${attached.body}`);
  return { user, userId, documents };
}

const attachedCount = (xml) =>
  xml?.children
    .find((c) => c.name === "ListAttachedUserPoliciesResult")
    ?.children.find((c) => c.name === "AttachedPolicies")
    ?.children.filter((c) => c.name === "member").length ?? 0;

/** One GetUser without UserName as `credentials`: 200, and the User fields `expected`, else throws. */
async function checkGetUser(url, credentials, expected) {
  const r = await callQuery(url, credentials, "iam", GET_USER_SELF, 200);
  if (r.xml?.name !== "GetUserResponse") throw new Error(`GetUser: not a GetUserResponse: ${r.body.slice(0, 1000)}`);
  for (const [name, value] of Object.entries(expected)) {
    const got = xmlText(r.xml, "GetUserResult", "User", name);
    if (got !== value) throw new Error(`GetUser as ${expected.UserName ?? "root"}: User/${name} is ${got}, expected ${value}\n${r.body.slice(0, 1000)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// S3 (issue 13)

/** Back-to-back rounds of the S3 GET and ListObjectsV2 targets, the order alternating. */
const S3_ROUNDS = Number(process.env.BENCH_S3_ROUNDS ?? 2);
/** Seconds of uncounted load on each server and call before the first round. */
const S3_WARMUP_S = 2;
const S3_OBJECT_BYTES = 2 ** 20;
const S3_PUT_BYTES = 2 ** 30;
/** The aws CLI's multipart_chunksize default (8 MiB): the part size its ETag is made of. */
const AWS_CLI_PART_BYTES = 8 * 2 ** 20;
const S3_PUT_RSS_LIMIT_MIB = 64;
const LIST_SIZES = [100, 1000, 100_000];
const listBucket = (n) => `bench-list-${n}`;
const listKey = (i) => `data/${String(i).padStart(6, "0")}.json`;
/**
 * The listings measured, by id (the key of a round's `list`): the target's two (max-keys 1000 on
 * 100 and on 100 000 keys), and beside them, not targets, the 1 000-key bucket (the same
 * 1 000-key page as the 100 000-key one) and the 100 000-key bucket with max-keys 100 (the same
 * 100-key page as the 100-key bucket): what the page's size costs, apart from the bucket's.
 */
const LISTINGS = [
  { id: "100", keys: 100, maxKeys: 1000 },
  { id: "100000", keys: 100_000, maxKeys: 1000 },
  { id: "1000", keys: 1000, maxKeys: 1000 },
  { id: "100000-max100", keys: 100_000, maxKeys: 100 },
];

/** Throws unless every answer of the point was a 200 of the expected length. */
function allOk(point, what) {
  const statuses = Object.keys(point.statuses ?? {});
  if (point.non2xx + point.errors + point.timeouts > 0 || point.wrongLength !== 0 || statuses.some((s) => s !== "200") || point.ok === 0) {
    throw new Error(
      `${what}: not every answer was a 200 of the expected length (statuses ${JSON.stringify(point.statuses)}, ` +
        `${point.errors} errors, ${point.timeouts} timeouts, ${point.wrongLength} of the wrong length): the comparison would be meaningless`,
    );
  }
}

const pickS3 = (p) => ({ rps: p.rps, p50: p.p50, p99: p.p99, mibPerS: p.mibPerS, loadBefore: p.loadBefore });

/**
 * Issue 13's targets. On one `serve` (default workers, SQLite) whose store was filled before it
 * started: buckets of 100, 1 000 and 100 000 keys (written straight into the store, every record
 * naming one 1 KiB blob) and a 1 MiB object PUT over HTTP.
 * - GetObject of the 1 MiB object at 16 connections, against the same file streamed by a bare
 *   node:http server run as serve runs (one process per core, node:cluster) and moto_server's
 *   GetObject of the same bytes, S3_ROUNDS back-to-back rounds.
 * - ListObjectsV2's first page (max-keys 1000) of the 100-key and the 100 000-key buckets, the
 *   same rounds; beside them, not targets, the 1 000-key bucket (the same 1 000-key page as the
 *   100 000-key one) and the 100 000-key bucket with max-keys 100 (the same 100-key page as the
 *   100-key bucket): they tell what the page's size costs from what the bucket's size does.
 * Then, on a fresh `serve`: `aws s3 cp` of a 1 GiB file (multipart), the RSS of all serve's
 * processes sampled every 50 ms. Every answer must be a 200 of the right length, else the section fails.
 */
async function benchS3() {
  // Set first: if the section fails, a partial run's merge must not keep an earlier run's figures.
  results.s3Rounds = [];
  results.s3Put = null;
  const dir = join(tmp, "s3");
  const storeArgs = ["--data-dir", dir];
  const root = await mfaStsInit(storeArgs);
  let t0 = Date.now();
  const seeded = await seedObjects(dir, ACCOUNT_ID, LIST_SIZES.map((n) => ({ name: listBucket(n), count: n })), listKey, randomBytes(1024));
  log(`s3: seeded ${LIST_SIZES.map((n) => n.toLocaleString("en-US")).join(" + ")} keys in ${Date.now() - t0} ms`);
  const objectFile = join(tmp, "s3-object-1mib.bin");
  const objectBytes = randomBytes(S3_OBJECT_BYTES);
  writeFileSync(objectFile, objectBytes);

  const servers = [];
  try {
    const srv = await mfaStsServe(storeArgs);
    servers.push(srv.child);
    const ceiling = await startListening(process.execPath, [join(HERE, "lib", "ceiling-server.js"), String(CORES), objectFile]);
    servers.push(ceiling.child);
    const moto = MOTO_SERVER ? await startMoto(MOTO_SERVER) : undefined;
    if (moto) servers.push(moto.child);

    // The object, PUT over HTTP to both servers, and read back whole.
    const objectPath = "/bench-get/object-1mib";
    const peers = [{ url: srv.url, creds: root }, ...(moto ? [{ url: moto.url, creds: EXAMPLE_CREDS }] : [])];
    for (const { url, creds } of peers) {
      await s3Call(url, creds, "PUT", "/bench-get", {}, 200);
      await s3Call(url, creds, "PUT", objectPath, { body: objectBytes }, 200);
      const back = await s3Call(url, creds, "GET", objectPath, { payloadHash: "UNSIGNED-PAYLOAD" }, 200);
      if (!back.body.equals(objectBytes)) throw new Error(`GetObject at ${url}: not the bytes PUT (${back.body.length} bytes)`);
    }
    const getPool = async (url, creds) => {
      const pool = [];
      for (let i = 0; i < CYCLE_POOL; i++) pool.push(await signS3(url, creds, "GET", objectPath, { payloadHash: "UNSIGNED-PAYLOAD" }));
      return pool;
    };
    const get = {
      ceiling: {
        url: ceiling.url,
        pool: await getPool(ceiling.url, EXAMPLE_CREDS),
        sc: scenario("s3-get-ceiling", {
          title: `Ceiling for GetObject: bare node:http streaming the 1 MiB file from disk, ${CORES} processes (node:cluster, as serve runs)`,
          server: "node:http, node:cluster, fs.createReadStream",
          call: "any GET",
          s3: true,
        }),
      },
      main: {
        url: srv.url,
        pool: await getPool(srv.url, root),
        sc: scenario("s3-get", { title: "mfa-sts GetObject, 1 MiB object, root key, UNSIGNED-PAYLOAD", store: "SQLite, file blobs", call: "GetObject", s3: true }),
      },
    };
    if (moto) {
      get.moto = {
        url: moto.url,
        pool: await getPool(moto.url, EXAMPLE_CREDS),
        closing: true,
        sc: scenario("s3-get-moto", {
          title: "moto_server GetObject, 1 MiB object",
          server: "moto_server",
          call: "GetObject",
          client: "node:http loop, a new connection per request (moto closes every connection)",
          s3: true,
        }),
      };
    } else {
      scenario("s3-get-moto", { title: "moto_server GetObject, 1 MiB object", skipped: "moto_server is not on PATH", s3: true });
    }

    const list = {};
    for (const { id, keys, maxKeys } of LISTINGS) {
      const query = { "list-type": "2", "max-keys": String(maxKeys) };
      const first = await s3Call(srv.url, root, "GET", `/${listBucket(keys)}`, { query }, 200);
      checkListPage(first.body.toString("utf8"), keys, maxKeys);
      const pool = [];
      for (let i = 0; i < CYCLE_POOL; i++) pool.push(await signS3(srv.url, root, "GET", `/${listBucket(keys)}`, { query }));
      list[id] = {
        url: srv.url,
        pool,
        bytes: first.body.length,
        what: `ListObjectsV2 max-keys ${maxKeys} on ${keys} keys`,
        sc: scenario(`s3-list-${id}`, {
          title: `mfa-sts ListObjectsV2 first page (max-keys ${maxKeys}), bucket of ${keys.toLocaleString("en-US")} keys`,
          store:
            `SQLite, ${keys.toLocaleString("en-US")} keys in the bucket (${LIST_SIZES.reduce((a, b) => a + b, 0).toLocaleString("en-US")} in the store); ` +
            `a page of ${Math.min(keys, maxKeys)} keys, ${first.body.length.toLocaleString("en-US")} bytes`,
          call: "ListObjectsV2",
          keys,
          maxKeys,
          pageKeys: Math.min(keys, maxKeys),
          pageBytes: first.body.length,
          s3: true,
        }),
      };
    }

    const point = async (what, target, counted = true) => {
      const bytes = target.bytes ?? S3_OBJECT_BYTES;
      const p = await measure(target.url, target.pool, 16, "cycle", Boolean(target.closing), {
        expectBodyBytes: bytes,
        ...(counted ? {} : { warmupS: 0, durationS: S3_WARMUP_S }),
      });
      allOk(p, what);
      p.mibPerS = Math.round((p.rps * bytes) / 2 ** 20);
      return p;
    };
    // A fresh server: every call gets the JIT and the caches warm before anything is counted.
    for (const [what, target] of [
      ["GetObject", get.main],
      ["the file ceiling", get.ceiling],
      ...LISTINGS.map(({ id }) => [list[id].what, list[id]]),
    ]) {
      const w = await point(`warm-up, ${what}`, target, false);
      log(`s3 warm-up, ${what}: ${w.rps} req/s (not counted)`);
    }
    for (let round = 1; round <= S3_ROUNDS; round++) {
      const getOrder = [...(round % 2 === 1 ? ["ceiling", "main"] : ["main", "ceiling"]), ...(get.moto ? ["moto"] : [])];
      // The target's two back to back, first one then the other; the two others after them.
      const listOrder = round % 2 === 1 ? ["100", "100000", "1000", "100000-max100"] : ["100000", "100", "100000-max100", "1000"];
      const r = { round, getOrder, listOrder, get: {}, list: {} };
      for (const who of getOrder) {
        const p = await point(`GetObject, ${who}, round ${round}`, get[who]);
        p.round = round;
        p.note = `round ${round}, ${getOrder.indexOf(who) + 1} of ${getOrder.length}; ${p.mibPerS} MiB/s`;
        record(get[who].sc, p);
        r.get[who] = pickS3(p);
      }
      for (const id of listOrder) {
        const p = await point(`${list[id].what}, round ${round}`, list[id]);
        p.round = round;
        p.note = `round ${round}, ${listOrder.indexOf(id) + 1} of ${listOrder.length}`;
        record(list[id].sc, p);
        r.list[id] = pickS3(p);
      }
      results.s3Rounds.push(r);
      log(
        `s3 round ${round}: GetObject ${r.get.main.rps} req/s vs file ceiling ${r.get.ceiling.rps} (${(r.get.main.rps / r.get.ceiling.rps).toFixed(2)} ×)` +
          (r.get.moto ? ` vs moto ${r.get.moto.rps} (${(r.get.main.rps / r.get.moto.rps).toFixed(1)} ×)` : "") +
          `; ListObjectsV2 (max-keys 1000) 100 keys ${r.list["100"].rps}, 1 000 keys ${r.list["1000"].rps}, 100 000 keys ${r.list["100000"].rps} req/s ` +
          `(100 / 100 000: ${(r.list["100"].rps / r.list["100000"].rps).toFixed(2)} ×); 100 000 keys, max-keys 100: ${r.list["100000-max100"].rps} req/s`,
      );
    }
  } finally {
    for (const child of servers) await stop(child);
  }
  await benchS3Put();
}

/** The first page of a seeded bucket of `n` keys: the first `maxKeys` keys in order, truncated only if there are more. */
function checkListPage(xml, n, maxKeys) {
  const keys = [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]);
  const count = /<KeyCount>(\d+)<\/KeyCount>/.exec(xml)?.[1];
  const truncated = /<IsTruncated>(\w+)<\/IsTruncated>/.exec(xml)?.[1];
  const expected = Math.min(n, maxKeys);
  const wrong =
    keys.length !== expected ||
    Number(count) !== expected ||
    truncated !== String(n > maxKeys) ||
    keys.some((k, i) => k !== listKey(i));
  if (wrong) throw new Error(`ListObjectsV2 on ${listBucket(n)}: expected the first ${expected} keys in order, got ${keys.length} (KeyCount ${count}, IsTruncated ${truncated}): ${xml.slice(0, 1000)}`);
}

/**
 * `aws s3 cp` of a 1 GiB file (sparse: zeros read without disk I/O) to a fresh `serve` (default
 * workers, SQLite): the CLI uploads it in 8 MiB parts, 10 at a time. The VmRSS of serve's
 * processes (primary and workers) is summed every 50 ms from just before the command until it
 * exits (the CompleteMultipartUpload included); the target is the peak of that sum over the sum
 * just before. Then the same upload again (another key) on the same, now warm, server: not the
 * target, it tells memory that stays with a process after its first large upload from memory
 * that every upload needs. Each object is checked after: its size and its multipart ETag (MD5 of
 * the parts' MD5s).
 */
async function benchS3Put() {
  if (!existsSync("/usr/bin/aws")) {
    results.s3Put = { skipped: "/usr/bin/aws (aws CLI v2) is not installed" };
    return;
  }
  const dir = join(tmp, "s3-put");
  const storeArgs = ["--data-dir", dir];
  const root = await mfaStsInit(storeArgs);
  const srv = await mfaStsServe(storeArgs);
  const file = join(tmp, "s3-put-1gib.bin");
  try {
    await s3Call(srv.url, root, "PUT", "/bench-put", {}, 200);
    writeFileSync(file, "");
    truncateSync(file, S3_PUT_BYTES);
    const home = join(tmp, "s3-home");
    mkdirSync(join(home, ".aws"), { recursive: true });
    writeFileSync(join(home, ".aws", "config"), "");
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      AWS_CONFIG_FILE: join(home, ".aws", "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(home, ".aws", "credentials"),
      AWS_ACCESS_KEY_ID: root.accessKeyId,
      AWS_SECRET_ACCESS_KEY: root.secretAccessKey,
      AWS_DEFAULT_REGION: REGION,
      AWS_PAGER: "",
      LANG: "C.UTF-8",
    };
    const parts = S3_PUT_BYTES / AWS_CLI_PART_BYTES;
    const partMd5 = createHash("md5").update(Buffer.alloc(AWS_CLI_PART_BYTES)).digest();
    const etag = `"${createHash("md5").update(Buffer.concat(Array.from({ length: parts }, () => partMd5))).digest("hex")}-${parts}"`;
    const mib = (kib) => Math.round((kib / 1024) * 10) / 10;
    let command;
    const upload = async (key) => {
      const args = ["s3", "cp", file, `s3://bench-put/${key}`, "--endpoint-url", srv.url, "--no-progress"];
      command ??= `aws ${args.join(" ").replace(srv.url, "URL").replace(file, "FILE")}`;
      // Settled before the baseline: the primary and every worker listening, nothing in flight.
      await new Promise((r) => setTimeout(r, 500));
      const processes = processTree(srv.child.pid);
      const before = Object.fromEntries(processes.map((p) => [p, memoryOf(p)]));
      const beforeKiB = Object.values(before).reduce((n, m) => n + (m?.rssKiB ?? 0), 0);
      const sampler = sampleMemory(srv.child.pid, 50);
      const r = await runCommand("/usr/bin/aws", args, { env, timeoutMs: 300_000 });
      const memory = sampler.stop();
      if (r.code !== 0) throw new Error(`aws s3 cp of 1 GiB failed (exit ${r.code}): ${r.stderr.slice(-2000)}${r.stdout.slice(-500)}`);
      // The object: its whole size, and the ETag of 128 parts of 8 MiB of zeros.
      const head = await s3Call(srv.url, root, "HEAD", `/bench-put/${key}`, {}, 200);
      if (Number(head.headers.get("content-length")) !== S3_PUT_BYTES || head.headers.get("etag") !== etag) {
        throw new Error(`the 1 GiB object after aws s3 cp: Content-Length ${head.headers.get("content-length")}, ETag ${head.headers.get("etag")} (expected ${S3_PUT_BYTES}, ${etag})`);
      }
      const after = Object.fromEntries(processTree(srv.child.pid).map((p) => [p, memoryOf(p)]));
      const byProcess = Object.entries(memory.perProcess).map(([pid, m]) => ({
        pid: Number(pid),
        role: Number(pid) === srv.child.pid ? "primary" : "worker",
        beforeMiB: mib(before[pid]?.rssKiB ?? m.firstKiB),
        peakMiB: mib(m.peakKiB),
        hwmMiB: mib(m.hwmKiB),
        afterMiB: mib(after[pid]?.rssKiB ?? 0),
      }));
      const u = {
        wallMs: Math.round(r.ms),
        mibPerS: Math.round(S3_PUT_BYTES / 2 ** 20 / (r.ms / 1000)),
        workers: processes.length - 1,
        samples: memory.samples,
        beforeMiB: mib(beforeKiB),
        peakMiB: mib(memory.peakSumKiB),
        growthMiB: mib(memory.peakSumKiB - beforeKiB),
        peakAtMs: memory.atPeak?.ms,
        byProcess,
        // The sum every 250 ms (of the 50 ms samples), in MiB over the sum before.
        timelineMiBOverBefore: memory.timeline.filter((_, i) => i % 5 === 0).map(([ms, kib]) => [ms, mib(kib - beforeKiB)]),
      };
      log(
        `s3 PUT 1 GiB (${key}) with aws s3 cp: ${u.wallMs} ms (${u.mibPerS} MiB/s); serve's RSS ${u.beforeMiB} MiB before, ` +
          `peak ${u.peakMiB} MiB (+${u.growthMiB} MiB, at ${u.peakAtMs} ms); ` +
          byProcess.map((p) => `${p.role} ${p.pid}: ${p.beforeMiB} → peak ${p.peakMiB} (VmHWM ${p.hwmMiB})`).join(", "),
      );
      return u;
    };
    const first = await upload("object-1gib");
    const second = await upload("object-1gib-again");
    results.s3Put = {
      command,
      cli: results.machine.awsCliV2,
      bytes: S3_PUT_BYTES,
      parts,
      etag,
      limitMiB: S3_PUT_RSS_LIMIT_MIB,
      ...first,
      again: second,
    };
  } finally {
    rmSync(file, { force: true });
    await stop(srv.child);
  }
}

/**
 * Where the time goes: the main call (GetCallerIdentity, session credentials, 16 connections)
 * once more against a server run under `node --cpu-prof`, and its self time by function and area.
 * Not counted in any figure above (the profiler slows the server down a little).
 */
async function benchProfile() {
  const dir = join(tmp, "profile");
  const profDir = join(tmp, "cpu-profile");
  const storeArgs = ["--data-dir", dir];
  await mfaStsInit(storeArgs);
  const users = await seedUsers({ dataDir: dir }, ACCOUNT_ID, { count: 10, prefix: "user" });
  // Sessions from an unprofiled server first: their GetSessionToken calls (and the access keys'
  // first last-used writes) are no part of what is profiled.
  const plain = await mfaStsServe(storeArgs, {}, 1);
  let sessions;
  try {
    sessions = await sessionsFor(plain.url, users);
  } finally {
    await stop(plain.child);
  }
  // One process, so the profile is of the process that serves (a worker's work is the same).
  const srv = await startListening(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${profDir}`, ...serveArgs(storeArgs, 1)]);
  let point;
  try {
    point = await measure(srv.url, await cyclePool(srv.url, sessions, "sts", GET_CALLER_IDENTITY), 16);
  } finally {
    await stop(srv.child, 15_000);
  }
  const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error("the profiled server wrote no .cpuprofile");
  results.profile = {
    scenario: "mfa-sts GetCallerIdentity, session credentials, SQLite 10 users, 16 connections, server under node --cpu-prof",
    rps: point.rps,
    p99: point.p99,
    ...summarizeProfile(join(profDir, file), ROOT),
  };
  log(`profile: ${point.rps} req/s under the profiler; top: ${results.profile.functions.slice(0, 3).map((f) => `${f.name} ${f.pct}%`).join(", ")}`);
}

// ---------------------------------------------------------------------------------------------

function version(command, args) {
  try {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim().split("\n")[0];
  } catch {
    return undefined;
  }
}

function machineInfo() {
  const require = createRequire(import.meta.url);
  const moto = MOTO_SERVER;
  let motoVersion;
  if (moto) {
    const python = /^#!\s*(\S+)/.exec(readFileSync(moto, "utf8").split("\n")[0])?.[1];
    if (python) motoVersion = version(python, ["-c", "import moto; print(moto.__version__)"]);
  }
  const v1 = AWS_V1;
  let commit = version("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"]);
  const dirty = version("git", ["-C", ROOT, "status", "--porcelain", "--untracked-files=no"]);
  if (commit && dirty) commit += " (with uncommitted changes)";
  Object.assign(results.machine, {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    autocannon: require("autocannon/package.json").version,
    moto: motoVersion,
    awsCliV2: existsSync("/usr/bin/aws") ? version("/usr/bin/aws", ["--version"]) : undefined,
    awsCliV1: v1 ? `${version(v1, ["--version"])} (${v1})` : undefined,
    commit,
  });
  results.settings.loadGenerator = `autocannon ${results.machine.autocannon} (programmatic API, own process, 1 request in flight per connection)`;
}

async function section(name, fn) {
  try {
    await fn();
  } catch (e) {
    log(`${name} failed: ${e.stack ?? e}`);
    results.errors.push({ section: name, error: String(e.message ?? e) });
  }
}

async function cleanup() {
  while (cleanups.length) {
    try {
      await cleanups.pop()();
    } catch (e) {
      log(`cleanup: ${e.message}`);
    }
  }
  killAll();
  rmSync(tmp, { recursive: true, force: true });
}

let interrupted = false;
function abort(reason, code) {
  if (interrupted) return;
  interrupted = true;
  log(`${reason}: stopping`);
  killAll();
  void cleanup().finally(() => process.exit(code));
}
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => abort(signal, 130));
process.on("uncaughtException", (e) => abort(`crash: ${e.stack ?? e}`, 1));
process.on("unhandledRejection", (e) => abort(`crash: ${e?.stack ?? e}`, 1));

async function main() {
  machineInfo();
  log(`bench: ${WARMUP_S} s warm-up + ${DURATION_S} s per point, connections ${CONNECTIONS.join("/")}; data in ${tmp}`);
  if (wants("ceiling")) await section("ceiling", benchCeiling);
  if (wants("moto")) await section("moto", benchMoto);
  if (["main", "mfa", "iam", "cli"].some(wants)) await section("main", benchMain);
  if (wants("workers")) await section("workers", benchWorkers);
  if (wants("pg")) await section("pg", benchPostgres);
  if (wants("scale")) await section("scale", benchScale);
  if (wants("policy")) await section("policy", benchPolicy);
  if (wants("s3")) await section("s3", benchS3);
  if (wants("profile")) await section("profile", benchProfile);
  results.elapsedSeconds = Math.round((Date.now() - started) / 1000);
  // A partial run keeps the figures of the last full run it did not measure again.
  const previous = join(HERE, "results.json");
  let report = results;
  if (ONLY && existsSync(previous)) {
    const ran = [...new Set([...ONLY].map((name) => (["main", "mfa", "iam", "cli"].includes(name) ? "main" : name)))];
    report = mergeResults(JSON.parse(readFileSync(previous, "utf8")), results, ran);
    log(`BENCH_ONLY=${[...ONLY].join(",")}: merged into the existing results (kept what this run did not measure)`);
  }
  writeReport(report, HERE);
  log(`wrote bench/results.md and bench/results.json in ${results.elapsedSeconds} s`);
}

try {
  await main();
} catch (e) {
  log(`bench failed: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  if (!interrupted) await cleanup();
}
if (results.errors.length) process.exitCode = 1;
