/**
 * The package as another project gets it (issue 15, "Done when"): in a scratch directory outside
 * the repository, `npm install <path to the repo>` (with @types/node, as a TypeScript project has
 * it), then a script importing `{ startServer, fromMfaSession, createVerifier } from "mfa-sts"` is
 * type-checked by `tsc --strict` (library checks included) and run. The root exports exactly the
 * documented API: internals are neither importable by name nor by path.
 *
 * Uses the built `dist/` (npm test builds first) and reaches the npm registry for @types/node
 * unless npm's cache has it.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const TSC = join(REPO, "node_modules", "typescript", "bin", "tsc");
const TYPES_NODE_VERSION = (JSON.parse(readFileSync(join(REPO, "node_modules", "@types", "node", "package.json"), "utf8")) as { version: string }).version;
const exec = promisify(execFile);
let scratch: string;

/** Runs a command in the scratch directory; its outcome, not an exception, on failure. */
async function inScratch(command: string, args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(command, args, { cwd: scratch, timeout: timeoutMs, env: { ...process.env, npm_config_update_notifier: "false", XDG_CACHE_HOME: join(scratch, ".cache") } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === "number" ? failed.code : -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    types: ["node"],
    skipLibCheck: false,
    outDir: "out",
  },
};

/** A consumer using every piece and its types. */
const CONSUMER = `
import { createVerifier, fromMfaSession, MfaSessionError, startServer } from "mfa-sts";
import type { MfaSessionCredentials, MfaStsServer, MfaStsUser, VerifiedCaller, VerifyResult } from "mfa-sts";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const srv: MfaStsServer = await startServer({ logLevel: "silent" });
const alice: MfaStsUser = await srv.createUser("alice", { mfa: true });
const serial: string | undefined = alice.mfaSerial;

const verifier = await createVerifier({ dataDir: srv.dataDir, service: "orders" });
const refused: VerifyResult = await verifier.verify({ method: "GET", url: "/orders", headers: { host: "orders.internal" } });
const caller: VerifiedCaller | undefined = refused.ok ? refused.caller : undefined;

const credentialsFile = join(srv.dataDir, "credentials");
writeFileSync(credentialsFile, "[work-long-term]\\naws_access_key_id = " + alice.accessKeyId + "\\naws_secret_access_key = " + alice.secretAccessKey + "\\naws_mfa_device = " + serial + "\\n");
const provider = fromMfaSession({ profile: "work", filepath: credentialsFile, configFilepath: join(srv.dataDir, "config"), endpoint: srv.url, region: "us-east-1", mfaCodeProvider: () => alice.code() });
const session: MfaSessionCredentials = await provider();
let withoutCodes = "";
try {
  await fromMfaSession({ profile: "other", filepath: credentialsFile, configFilepath: join(srv.dataDir, "config") })();
} catch (e) {
  withoutCodes = e instanceof MfaSessionError ? e.name : "another error";
}
await verifier.close();
await srv.close();
console.log(JSON.stringify({ refused: refused.ok ? "" : refused.code, caller: caller ?? null, session: session.accessKeyId.slice(0, 4), expires: session.expiration instanceof Date, withoutCodes }));
`;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "mfa-sts-consumer-"));
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  writeFileSync(join(scratch, "tsconfig.json"), JSON.stringify(TSCONFIG));
  // --ignore-scripts: npm runs a linked folder's `prepare`, which would rebuild this repository's
  // dist/ in place while other test files spawn the CLI from it (a half-written module once).
  // The link uses dist/ as npm test built it.
  const install = await inScratch("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts", REPO, `@types/node@${TYPES_NODE_VERSION}`], 120_000);
  expect(install.code, install.stderr).toBe(0);
}, 150_000);
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

it("a consumer importing the three pieces type-checks under tsc --strict and runs", async () => {
  writeFileSync(join(scratch, "consumer.ts"), CONSUMER);
  const tsc = await inScratch(process.execPath, [TSC, "-p", "tsconfig.json"]);
  expect(tsc.stdout + tsc.stderr).toBe("");
  expect(tsc.code).toBe(0);
  const ran = await inScratch(process.execPath, [join("out", "consumer.js")]);
  expect(ran.stderr).toBe("");
  expect(JSON.parse(ran.stdout)).toEqual({ refused: "MissingAuthenticationToken", caller: null, session: "ASIA", expires: true, withoutCodes: "MfaSessionError" });
});

it("the types are real: misuse fails the type check", async () => {
  writeFileSync(join(scratch, "consumer.ts"), `
import { createVerifier, startServer } from "mfa-sts";
await startServer({ port: "4599" });
const verifier = await createVerifier({ dataDir: "/tmp" });
const answer = await verifier.verify({ method: "GET", url: "/", headers: {} });
if (answer.ok) console.log(answer.code);
`);
  const tsc = await inScratch(process.execPath, [TSC, "-p", "tsconfig.json", "--noEmit"]);
  expect(tsc.code).not.toBe(0);
  expect(tsc.stdout).toMatch(/consumer\.ts\(3,[0-9]+\): error TS2322: Type 'string' is not assignable to type 'number'/);
  expect(tsc.stdout).toMatch(/consumer\.ts\(6,[0-9]+\): error TS2339: Property 'code' does not exist/);
});

it("the root exports the documented API and nothing else; internals are not importable by path", async () => {
  writeFileSync(join(scratch, "exports.mjs"), `
const root = await import("mfa-sts");
let byPath = "importable";
try {
  await import("mfa-sts/dist/auth/authenticate.js");
} catch (e) {
  byPath = e.code;
}
console.log(JSON.stringify({ names: Object.keys(root).sort(), byPath }));
`);
  const ran = await inScratch(process.execPath, ["exports.mjs"]);
  expect(ran.stderr).toBe("");
  expect(JSON.parse(ran.stdout)).toEqual({ names: ["MfaSessionError", "createVerifier", "fromMfaSession", "startServer"], byPath: "ERR_PACKAGE_PATH_NOT_EXPORTED" });

  writeFileSync(join(scratch, "consumer.ts"), `import { openStore } from "mfa-sts";\nconsole.log(openStore);\n`);
  const tsc = await inScratch(process.execPath, [TSC, "-p", "tsconfig.json", "--noEmit"]);
  expect(tsc.stdout).toMatch(/consumer\.ts\(1,10\): error TS2305: Module '"mfa-sts"' has no exported member 'openStore'/);
});
