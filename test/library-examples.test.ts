/**
 * The example scripts in examples/ run as a user runs them (`node examples/…`, importing "mfa-sts"
 * from the built package), with a temporary HOME; their output says what they showed.
 * examples/start-server.test.ts is itself a vitest test and runs with the others.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { run } from "./helpers/clients.js";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const homes: string[] = [];
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

async function runExample(name: string): Promise<string> {
  const home = mkdtempSync(join(tmpdir(), "mfa-sts-example-home-"));
  homes.push(home);
  const result = await run(process.execPath, [join("examples", name)], { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, AWS_EC2_METADATA_DISABLED: "true" }, undefined, REPO);
  // The SDK warns about Node 20 on stderr; nothing else may be there.
  expect(result.stderr.replace(/\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?--trace-warnings[^\n]*\n/, "")).toBe("");
  expect(result.code).toBe(0);
  return result.stdout;
}

it("examples/mfa-session.js: one prompt, the session in [work], reused", async () => {
  const lines = (await runExample("mfa-session.js")).trimEnd().split("\n");
  expect(lines).toHaveLength(4);
  expect(lines[0]).toMatch(/^asked for a code for arn:aws:iam::\d{12}:mfa\/alice$/);
  expect(lines[1]).toMatch(/^called as arn:aws:iam::\d{12}:user\/alice$/);
  expect(lines[2]).toMatch(/^\[work\] holds a session until \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  expect(lines[3]).toBe("asking again reuses it: true");
});

it("examples/verified-service.js: the MFA session is served, the others refused with their codes", async () => {
  const lines = (await runExample("verified-service.js")).trimEnd().split("\n");
  expect(lines).toHaveLength(3);
  const [withMfa, withoutMfa, wrongSecret] = lines.map((line) => /^[^:]+:\s+(\d{3}) (.*)$/.exec(line)!.slice(1));
  expect(withMfa![0]).toBe("200");
  expect(JSON.parse(withMfa![1]!)).toMatchObject({ orders: [], for: expect.stringMatching(/^arn:aws:iam::\d{12}:user\/alice$/) });
  expect(withoutMfa).toEqual(["403", JSON.stringify({ code: "AccessDenied", message: "sign in with MFA" })]);
  expect(wrongSecret![0]).toBe("403");
  expect(JSON.parse(wrongSecret![1]!)).toEqual({
    code: "SignatureDoesNotMatch",
    message:
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
  });
});
