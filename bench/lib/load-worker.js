// The load generator, run in its own process (bench/run.js forks it): autocannon through its
// programmatic API, fed from a pool of pre-built requests.
//
//   node bench/lib/load-worker.js SPEC.json   → one JSON line on stdout
//
// SPEC: { url, connections, warmupS, durationS, mode: "cycle" | "once", closing?: true,
//         expectBodyBytes?: N, requests: [{ method, path, headers, body }] }
// "cycle": the connections take requests from the pool in turn, round and round (signed requests
// may be replayed). "once": each request is sent once at most (MFA codes, new user names); when
// the pool runs out the run stops early and says so.
//
// The requests are turned into raw HTTP/1.1 bytes once, here, and handed to autocannon's
// connections by a hook on its Client.getRequestBuffer: building them per request (autocannon's
// setupRequest) costs the generator so much CPU that on 2 cores it, not the server, would set the
// ceiling. Latency is taken from autocannon's per-response event (sub-millisecond, 2xx only), not
// from its histogram, which counts whole milliseconds.
//
// Response bodies are counted, not kept: autocannon's own queue appends every body chunk to a
// string (a UTF-8 decode per chunk), which for 1 MiB answers (the S3 GETs) would make the
// generator the bottleneck. `expectBodyBytes`: every answer whose body is not exactly that many
// bytes is counted in `wrongLength` (the bench fails a point that has any).
//
// `closing`: for servers that close the connection after every answer (moto_server's Werkzeug
// sends `Connection: close`), which autocannon's keep-alive client does not survive: a plain
// node:http loop per connection, a new TCP connection per request, as any client of theirs has.
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createRequire } from "node:module";
import autocannon from "autocannon";

const require = createRequire(import.meta.url);
const Client = require("autocannon/lib/httpClient.js");
const Queue = require("autocannon/lib/pipelinedRequestsQueue.js");
if (typeof Client?.prototype?.getRequestBuffer !== "function" || typeof Queue?.prototype?.addBody !== "function" || typeof Queue.prototype.terminateRequest !== "function") {
  throw new Error("autocannon's Client.getRequestBuffer or its request queue is gone: bench/lib/load-worker.js needs updating for this autocannon");
}

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const expectBodyBytes = spec.expectBodyBytes;
/** Answers (of the run under way) whose body length is not `expectBodyBytes`. */
let wrongLength = 0;

Queue.prototype.addBody = function countBody(data) {
  const req = this.peek();
  if (req) req.bodyBytes = (req.bodyBytes ?? 0) + data.length;
};
const terminateRequest = Queue.prototype.terminateRequest;
Queue.prototype.terminateRequest = function checkedTermination() {
  const data = terminateRequest.call(this);
  if (data && expectBodyBytes !== undefined && (data.bodyBytes ?? 0) !== expectBodyBytes) wrongLength++;
  return data;
};

function rawRequest({ method, path, headers, body }) {
  const payload = Buffer.from(body ?? "");
  const lines = [`${method} ${path} HTTP/1.1`];
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== "content-length" && name.toLowerCase() !== "connection") lines.push(`${name}: ${value}`);
  }
  lines.push("Connection: keep-alive", `Content-Length: ${payload.length}`);
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), payload]);
}

const pool = spec.closing ? spec.requests : spec.requests.map(rawRequest);
spec.requests = undefined;
let next = 0;
let exhausted = false;
let onExhausted = () => {};

Client.prototype.getRequestBuffer = function nextPooledRequest() {
  if (next >= pool.length) {
    if (spec.mode === "once") {
      if (!exhausted) {
        exhausted = true;
        onExhausted();
      }
      return pool[pool.length - 1];
    }
    next = 0;
  }
  return pool[next++];
};

function summarize(latencies, fields) {
  latencies.sort((a, b) => a - b);
  const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] : null);
  const round = (x) => (x === null ? null : Math.round(x * 1000) / 1000);
  return {
    ...fields,
    p50: round(pct(50)),
    p90: round(pct(90)),
    p99: round(pct(99)),
    max: round(latencies.length ? latencies[latencies.length - 1] : null),
  };
}

/** Answers counted by status, with the latencies of the 2xx ones; summarized over a run. */
function tally() {
  const latencies = [];
  const statuses = {};
  let ok = 0;
  return {
    /** true for a 2xx answer */
    add(status, ms) {
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status < 200 || status >= 300) return false;
      ok++;
      latencies.push(ms);
      return true;
    },
    summary(started, ended, fields) {
      const elapsedS = Number(ended - started) / 1e9;
      return summarize(latencies, { connections: spec.connections, seconds: Math.round(elapsedS * 100) / 100, ok, ...fields, statuses, rps: Math.round(ok / elapsedS) });
    },
  };
}

/** The `closing` client: `connections` loops of one request at a time, each on a new connection. */
async function runClosing(durationS) {
  const url = new URL(spec.url);
  const answers = tally();
  let errors = 0;
  let non2xx = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(durationS * 1e9));
  const one = (req) =>
    new Promise((resolve) => {
      const t0 = process.hrtime.bigint();
      const r = httpRequest(
        { host: url.hostname, port: url.port, method: req.method, path: req.path, headers: req.headers, agent: false },
        (res) => {
          let bytes = 0;
          res.on("data", (chunk) => (bytes += chunk.length));
          res.on("end", () => {
            if (expectBodyBytes !== undefined && bytes !== expectBodyBytes) wrongLength++;
            if (!answers.add(res.statusCode, Number(process.hrtime.bigint() - t0) / 1e6)) non2xx++;
            resolve();
          });
        },
      );
      r.setTimeout(10_000, () => r.destroy(new Error("timeout")));
      r.on("error", () => {
        errors++;
        resolve();
      });
      r.end(req.body);
    });
  await Promise.all(
    Array.from({ length: spec.connections }, async () => {
      while (process.hrtime.bigint() < deadline) {
        if (next >= pool.length) next = 0;
        await one(pool[next++]);
      }
    }),
  );
  return answers.summary(started, process.hrtime.bigint(), {
    non2xx,
    errors,
    timeouts: 0,
    wrongLength: expectBodyBytes === undefined ? undefined : wrongLength,
    client: "node:http, a new connection per request",
  });
}

function run(durationS, measure) {
  wrongLength = 0;
  if (spec.closing) return runClosing(durationS);
  return new Promise((resolve, reject) => {
    const answers = tally();
    let instance;
    const started = process.hrtime.bigint();
    let stoppedAt;
    onExhausted = () => {
      stoppedAt = process.hrtime.bigint();
      setImmediate(() => instance.stop());
    };
    instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        pipelining: 1,
        duration: durationS,
        timeout: 10,
        // Only a placeholder: the bytes sent come from the pool (getRequestBuffer above).
        requests: [{ method: "POST", path: "/" }],
      },
      (err, result) => {
        if (err) return reject(err);
        resolve(
          answers.summary(started, stoppedAt ?? process.hrtime.bigint(), {
            non2xx: result.non2xx,
            errors: result.errors,
            timeouts: result.timeouts,
            wrongLength: expectBodyBytes === undefined ? undefined : wrongLength,
            exhausted: measure ? exhausted : undefined,
          }),
        );
      },
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => answers.add(statusCode, responseTime));
  });
}

const warmup = spec.warmupS > 0 ? await run(spec.warmupS, false) : undefined;
const measured = exhausted ? { ...warmup, exhausted: true, note: "pool used up during warm-up" } : await run(spec.durationS, true);
if (spec.mode === "once") {
  measured.used = next;
  measured.pool = pool.length;
}
if (warmup) measured.warmup = { rps: warmup.rps, ok: warmup.ok, non2xx: warmup.non2xx, wrongLength: warmup.wrongLength };
process.stdout.write(`${JSON.stringify(measured)}\n`);
process.exit(0);
