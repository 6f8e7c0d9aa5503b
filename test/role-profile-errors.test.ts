/**
 * A role profile the aws CLI refuses is refused by `mfa-sts login`, `export` and `exec` with the
 * same text and exit code (botocore's checks, spec §8.1): each bad profile is given to aws CLI v2
 * (/usr/bin/aws) and to mfa-sts, spawned with the same temporary HOME and files, and their stderr
 * and exit codes compared. Neither gets as far as a network call.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "./helpers/cli.js";
import { run } from "./helpers/clients.js";

const ROLE = "arn:aws:iam::123456789012:role/Admin";
/** Nothing listens here: a call that should not happen fails loudly instead of reaching AWS. */
const NOWHERE = "http://127.0.0.1:9";

const BAD_PROFILES: Record<string, string> = {
  both: `role_arn = ${ROLE}\nsource_profile = work\ncredential_source = Environment\n`,
  neither: `role_arn = ${ROLE}\n`,
  "missing-source": `role_arn = ${ROLE}\nsource_profile = nosuch\n`,
  "bad-credential-source": `role_arn = ${ROLE}\ncredential_source = Nope\n`,
  "loop-a": `role_arn = ${ROLE}\nsource_profile = loop-b\n`,
  "loop-b": `role_arn = ${ROLE}\nsource_profile = loop-a\n`,
  "self-without-keys": `role_arn = ${ROLE}\nsource_profile = self-without-keys\n`,
  "source-without-keys": `role_arn = ${ROLE}\nsource_profile = empty\n`,
  empty: "region = us-east-1\n",
  "short-arn": "role_arn = short\nsource_profile = work\n",
  "short-name-and-external-id": `role_arn = ${ROLE}\nsource_profile = work\nrole_session_name = a\nexternal_id = x\n`,
  "short-duration": `role_arn = ${ROLE}\nsource_profile = work\nduration_seconds = 100\n`,
};

let home: string;
let env: Record<string, string>;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "mfa-sts-role-errors-"));
  const config = join(home, "config");
  const credentials = join(home, "credentials");
  writeFileSync(
    config,
    Object.entries(BAD_PROFILES)
      .map(([name, body]) => `[profile ${name}]\n${body}`)
      .join("\n") +
      `\n[profile env-source]\nrole_arn = ${ROLE}\ncredential_source = Environment\n` +
      `\n[profile huge-duration]\nrole_arn = ${ROLE}\nsource_profile = work\nduration_seconds = 99999999999999999999\n`,
  );
  // [work] as login leaves it: the long-term key beside, the session (expired here) in [work].
  writeFileSync(
    credentials,
    "[work-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\n\n" +
      "[work]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\n" +
      "aws_session_token = AQoEXAMPLEH4aoAH0gNCAPy\naws_credential_expiration = 2020-01-01T00:00:00Z\n",
  );
  env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_ENDPOINT_URL_STS: NOWHERE,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_PAGER: "",
    XDG_CACHE_HOME: join(home, "cache"),
  };
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

const mfaSts = (args: string[]) => run(process.execPath, [BIN, ...args], env);

describe("bad role profiles: the aws CLI's words and exit code", () => {
  it.each(Object.keys(BAD_PROFILES).filter((name) => name !== "empty"))("%s", async (profile) => {
    const [aws, login, exported, exec] = await Promise.all([
      run("/usr/bin/aws", ["--endpoint-url", NOWHERE, "--profile", profile, "sts", "get-caller-identity"], env),
      mfaSts(["login", "--profile", profile, "--token-code", "123456"]),
      mfaSts(["export", "--profile", profile]),
      mfaSts(["exec", "--profile", profile, "--", process.execPath, "-e", "console.log('ran')"]),
    ]);
    expect(aws.stdout).toBe("");
    // The CLI's own failure shape: a blank line, the message, a newline; never a stack trace.
    expect(aws.stderr).toMatch(/^\n.+\n$/s);
    expect([252, 255]).toContain(aws.code);
    for (const ours of [login, exported, exec]) expect(ours).toEqual({ code: aws.code, stdout: "", stderr: aws.stderr });
  });

  it("credential_source, which the aws CLI takes: refused with what to use instead (exit 253)", async () => {
    const r = await mfaSts(["login", "--profile", "env-source"]);
    expect(r).toEqual({
      code: 253,
      stdout: "",
      stderr:
        '\nThe profile "env-source" takes its source credentials from credential_source = Environment; ' +
        "mfa-sts assumes roles from an MFA session of a source_profile: use source_profile.\n",
    });
  });

  it("a duration_seconds past any exact number: one clear line (exit 255, as the profile errors above), for status as well", async () => {
    const message = "\nduration_seconds = 99999999999999999999 in [profile huge-duration] is not a duration AWS accepts (900 to 43200 seconds).\n";
    const [login, exported, status] = await Promise.all([
      mfaSts(["login", "--profile", "huge-duration", "--token-code", "123456"]),
      mfaSts(["export", "--profile", "huge-duration"]),
      mfaSts(["status"]),
    ]);
    for (const r of [login, exported, status]) expect(r).toEqual({ code: 255, stdout: "", stderr: message });
  });

  it("--no-session on a profile without role_arn: a usage error (exit 252)", async () => {
    const message = "\n--no-session is for role profiles (role_arn and source_profile); profile work has no role_arn.\n";
    const [login, exported] = await Promise.all([
      mfaSts(["login", "--profile", "work", "--no-session", "--token-code", "123456"]),
      mfaSts(["export", "--profile", "work", "--no-session"]),
    ]);
    expect(login).toEqual({ code: 252, stdout: "", stderr: message });
    expect(exported).toEqual({ code: 252, stdout: "", stderr: message });
  });
});
