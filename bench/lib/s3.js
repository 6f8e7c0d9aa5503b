// S3 for the bench: requests signed with SigV4 for service "s3" (as src/sigv4/s3.ts checks them:
// the path as sent, an x-amz-content-sha256 header), objects written straight into a store, and
// the memory of a process tree read from /proc.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SignatureV4 } from "@smithy/signature-v4";
import { NodeSha256 } from "../../dist/client/node-sha256.js";
import { openStore } from "../../dist/server/open-store.js";
import { FileBlobStore } from "../../dist/store/blobs.js";

export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
export const REGION = "us-east-1";

const signers = new Map();
function signerFor(credentials) {
  let signer = signers.get(credentials.accessKeyId);
  if (!signer) {
    signer = new SignatureV4({ credentials, region: REGION, service: "s3", sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
    signers.set(credentials.accessKeyId, signer);
  }
  return signer;
}

const queryString = (query) =>
  Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&");

/**
 * A signed S3 request, as { method, path, headers, body } for the load generator (the path with
 * its query). `path`: as it goes on the wire (keys of plain characters: nothing to escape).
 * `payloadHash`: x-amz-content-sha256 (default: the SHA-256 of an empty body, as SDKs send with a
 * GET; "UNSIGNED-PAYLOAD" works too); with a `body` it is the body's SHA-256 unless given.
 */
export async function signS3(baseUrl, credentials, method, path, { query = {}, body, payloadHash, headers = {} } = {}) {
  const url = new URL(baseUrl);
  const hash = payloadHash ?? (body === undefined ? EMPTY_SHA256 : createHash("sha256").update(body).digest("hex"));
  const signed = await signerFor(credentials).sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path,
    query,
    headers: { host: url.host, "x-amz-content-sha256": hash, ...headers },
  });
  const qs = queryString(query);
  return { method, path: qs ? `${path}?${qs}` : path, headers: { ...signed.headers }, body };
}

/** One signed S3 call: { status, headers, body (a Buffer) }. `expectStatus`: throw on any other. */
export async function s3Call(baseUrl, credentials, method, path, options = {}, expectStatus) {
  const req = await signS3(baseUrl, credentials, method, path, options);
  const headers = { ...req.headers };
  delete headers.host;
  const res = await fetch(new URL(req.path, baseUrl), { method, headers, body: req.body });
  const body = Buffer.from(await res.arrayBuffer());
  if (expectStatus !== undefined && res.status !== expectStatus) {
    throw new Error(`S3 ${method} ${req.path} at ${baseUrl} answered ${res.status} (expected ${expectStatus}): ${body.toString("utf8", 0, 2000)}`);
  }
  return { status: res.status, headers: res.headers, body };
}

/**
 * Buckets of `count` objects each, written straight into the store of `dataDir` (SQLite, not
 * over HTTP; before `serve` opens it): every record names the same small blob (`blobBytes`
 * bytes, written once through the store's own blob class). `buckets`: [{ name, count }];
 * `keyOf(i)`: the i-th key, in any order (the store orders them). Returns the blob's size and ETag.
 */
export async function seedObjects(dataDir, accountId, buckets, keyOf, blobBytes) {
  const { store } = await openStore({ dataDir });
  try {
    const blobs = new FileBlobStore(join(dataDir, "blobs"));
    const writer = await blobs.create();
    await writer.write(blobBytes);
    await writer.commit();
    const etag = `"${createHash("md5").update(blobBytes).digest("hex")}"`;
    const now = new Date();
    for (const { name } of buckets) {
      const made = await store.createBucket({ name, accountId, region: REGION, createdAt: now });
      if (made !== "created") throw new Error(`seeding: bucket ${name} ${made}`);
    }
    const db = store.db;
    if (!db || typeof db.transaction !== "function") throw new Error("seeding objects needs the SQLite store (its better-sqlite3 handle)");
    const BATCH = 10_000;
    for (const { name, count } of buckets) {
      for (let start = 0; start < count; start += BATCH) {
        const pending = [];
        // Every putObject runs its statements before its first await: all of them in this transaction.
        db.transaction(() => {
          for (let i = start; i < Math.min(count, start + BATCH); i++) {
            pending.push(
              store.putObject({
                bucket: name,
                key: keyOf(i),
                size: blobBytes.length,
                etag,
                checksum: null,
                lastModified: now,
                blobId: writer.id,
                contentType: "binary/octet-stream",
                metadata: [],
                headers: {},
              }),
            );
          }
        })();
        for (const r of await Promise.all(pending)) if (r === "no-bucket") throw new Error(`seeding: bucket ${name} gone`);
      }
    }
    return { size: blobBytes.length, etag };
  } finally {
    await store.close();
  }
}

/** `pid` and every process below it (a `serve`: the primary and its workers). */
export function processTree(pid) {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    let children = [];
    try {
      for (const task of readdirSync(`/proc/${out[i]}/task`)) {
        const text = readFileSync(`/proc/${out[i]}/task/${task}/children`, "utf8").trim();
        if (text) children.push(...text.split(/\s+/).map(Number));
      }
    } catch {
      children = [];
    }
    for (const c of children) if (!out.includes(c)) out.push(c);
  }
  return out;
}

/** { rssKiB, hwmKiB } of one process from /proc/PID/status, or undefined if it is gone. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
    return { rssKiB: field("VmRSS"), hwmKiB: field("VmHWM") };
  } catch {
    return undefined;
  }
}

/**
 * Samples the VmRSS of `pid`'s whole tree every `everyMs`, from now until stop(); the tree is
 * looked up again at each sample (a worker restarted would count). stop() returns
 * { samples, peakSumKiB, atPeak, timeline: [[ms, sumKiB], …] (every sample), perProcess: { pid: { firstKiB, peakKiB, hwmKiB } } }.
 */
export function sampleMemory(pid, everyMs = 50) {
  const t0 = Date.now();
  const timeline = [];
  const perProcess = {};
  let peakSumKiB = 0;
  let atPeak;
  const sample = () => {
    let sum = 0;
    const now = {};
    for (const p of processTree(pid)) {
      const m = memoryOf(p);
      if (!m) continue;
      sum += m.rssKiB;
      now[p] = m.rssKiB;
      const e = (perProcess[p] ??= { firstKiB: m.rssKiB, peakKiB: 0, hwmKiB: 0 });
      e.peakKiB = Math.max(e.peakKiB, m.rssKiB);
      e.hwmKiB = m.hwmKiB;
    }
    timeline.push([Date.now() - t0, sum]);
    if (sum > peakSumKiB) {
      peakSumKiB = sum;
      atPeak = { ms: Date.now() - t0, byProcess: now };
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { samples: timeline.length, peakSumKiB, atPeak, timeline, perProcess };
    },
  };
}
