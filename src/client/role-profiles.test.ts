import { describe, expect, it } from "vitest";
import type { SharedFiles } from "./config.js";
import { CliError } from "./errors.js";
import { parseIni } from "./ini.js";
import { isRoleProfile, mergedProfiles, pythonIntOrUndefined, resolveRoleChain, roleProfiles } from "./role-profiles.js";

/** SharedFiles from the two files' texts, split as config.ts splits them. */
function files(config: string, credentials = ""): SharedFiles {
  const profiles = new Map();
  for (const [name, section] of parseIni(config)) {
    if (name === "default") profiles.set(name, section);
    else if (name.startsWith("profile ")) profiles.set(name.slice(8).trim(), section);
  }
  return { config: profiles, services: new Map(), credentials: parseIni(credentials) };
}

const KEYS = "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\n";
const ADMIN = "arn:aws:iam::123456789012:role/Admin";

function failure(run: () => unknown): { exitCode: number; message: string } {
  try {
    run();
  } catch (e) {
    if (e instanceof CliError) return { exitCode: e.exitCode, message: e.message };
    throw e;
  }
  throw new Error("expected a CliError");
}

describe("resolveRoleChain", () => {
  it("a role on a source whose key is only in [work-long-term] (before the first login)", () => {
    const f = files(`[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = work\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n`, `[work-long-term]\n${KEYS}`);
    expect(resolveRoleChain(f, "admin", "-long-term")).toEqual({
      roles: [{ name: "admin", roleArn: ADMIN, sourceProfile: "work", mfaSerial: "arn:aws:iam::123456789012:mfa/alice" }],
      source: "work",
    });
    // Without the long-term sibling (another suffix), botocore's answer.
    expect(failure(() => resolveRoleChain(f, "admin", ".keys"))).toEqual({
      exitCode: 255,
      message: 'The source_profile "work" referenced in the profile "admin" does not exist.',
    });
  });

  it("a chain of roles, the innermost on the user's profile; static keys win over a source's role_arn", () => {
    const config =
      `[profile outer]\nrole_arn = arn:aws:iam::123456789012:role/Outer\nsource_profile = inner\nduration_seconds = 900\n` +
      `[profile inner]\nrole_arn = arn:aws:iam::123456789012:role/Inner\nsource_profile = work\n` +
      `[profile work]\nrole_arn = arn:aws:iam::123456789012:role/Ignored\nsource_profile = nosuch\n`;
    const chain = resolveRoleChain(files(config, `[work]\n${KEYS}`), "outer", "-long-term");
    expect(chain.source).toBe("work");
    expect(chain.roles.map((r) => r.name)).toEqual(["inner", "outer"]);
    expect(chain.roles[1]!.durationSeconds).toBe(900);
  });

  it("role_arn and source_profile in the credentials file count too (botocore merges the files)", () => {
    const f = files("", `[admin]\nrole_arn = ${ADMIN}\nsource_profile = work\n\n[work-long-term]\n${KEYS}`);
    expect(isRoleProfile(mergedProfiles(f).get("admin"))).toBe(true);
    expect(resolveRoleChain(f, "admin", "-long-term").source).toBe("work");
  });

  it("a profile may source itself when it holds keys (its long-term section counts)", () => {
    const f = files(`[profile self]\nrole_arn = ${ADMIN}\nsource_profile = self\n`, `[self-long-term]\n${KEYS}`);
    expect(resolveRoleChain(f, "self", "-long-term")).toEqual({ roles: [{ name: "self", roleArn: ADMIN, sourceProfile: "self" }], source: "self" });
  });

  it("a source with credential_process or SSO: mfa-sts's own explanation (exit 253)", () => {
    const f = files(`[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = sso\n[profile sso]\nsso_session = corp\n`);
    expect(failure(() => resolveRoleChain(f, "admin", "-long-term"))).toEqual({
      exitCode: 253,
      message:
        'The source profile "sso" gets its credentials from sso_session; mfa-sts makes an MFA session from an IAM user\'s long-term key: ' +
        "put it in [sso-long-term] of the credentials file.",
    });
  });

  it("an infinite loop names the profiles visited as Python prints a list", () => {
    const f = files(`[profile a]\nrole_arn = ${ADMIN}\nsource_profile = b\n[profile b]\nrole_arn = ${ADMIN}\nsource_profile = c\n[profile c]\nrole_arn = ${ADMIN}\nsource_profile = a\n`);
    expect(failure(() => resolveRoleChain(f, "a", "-long-term")).message).toBe(
      "Infinite loop in credential configuration detected. Attempting to load from profile a which has already been visited. Visited profiles: ['a', 'b', 'c']",
    );
  });
});

describe("profile settings as botocore reads them", () => {
  it("an empty role_session_name is generated, duration_seconds through Python's int() or ignored", () => {
    const f = files(
      `[profile a]\nrole_arn = ${ADMIN}\nsource_profile = w\nrole_session_name =\nduration_seconds = 1_800\n` +
        `[profile b]\nrole_arn = ${ADMIN}\ncredential_source = Environment\nduration_seconds = soon\nexternal_id =\n`,
    );
    expect(roleProfiles(f)).toEqual([
      { name: "a", roleArn: ADMIN, source: "w", durationSeconds: 1800 },
      { name: "b", roleArn: ADMIN, source: "Environment", externalId: "" },
    ]);
  });

  it("pythonIntOrUndefined", () => {
    expect([" 900 ", "+3600", "-5", "0900", "1_000", "1__0", "12abc", "", "9.5"].map(pythonIntOrUndefined)).toEqual([
      900,
      3600,
      -5,
      900,
      1000,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("web_identity_token_file makes it not a role profile of ours (botocore's web identity provider takes it)", () => {
    const f = files(`[profile wi]\nrole_arn = ${ADMIN}\nweb_identity_token_file = /tmp/token\n`);
    expect(isRoleProfile(mergedProfiles(f).get("wi"))).toBe(false);
    expect(roleProfiles(f)).toEqual([]);
  });
});
