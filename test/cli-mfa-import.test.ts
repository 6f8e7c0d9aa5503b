/**
 * `mfa-sts mfa import` as a spawned process: a TOTP hardware token (vendor serial + base32 seed)
 * registered and enabled for a user or the root user, with exact stdout, stderr and exit codes;
 * then a served process on that data directory where boto3 gets MFA sessions with the serial.
 *
 * The served process runs on the real clock: codes are those of the real current step, which a
 * token never used before accepts (window ±1 step, so a step boundary in between is harmless).
 */
import { CreateAccessKeyCommand, CreateUserCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoRandom } from "../src/ids.js";
import { registerHardwareToken } from "../src/iam/mfa-devices.js";
import { base32Decode } from "../src/mfa/seed.js";
import { openDataDir } from "../src/server/data-dir.js";
import { systemClock } from "../src/clock.js";
import { boto3, clientEnv, run, sdkClients } from "./helpers/clients.js";
import { BIN, mfaSts, serve, type ServeProcess } from "./helpers/cli.js";
import { codeAt } from "./helpers/mfa.js";
import { tempDir, type Credentials } from "./helpers/server.js";

const ACCOUNT = "123456789012";
const ALICE_SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
/** 20 bytes, given on stdin in lower case with a trailing newline, as `echo` would. */
const ROOT_SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

function env(extra: Record<string, string> = {}): Record<string, string> {
  const e = clientEnv(undefined, extra);
  delete e.AWS_DEFAULT_REGION;
  return e;
}

const mfaImport = (args: string[], stdin?: string) => run(process.execPath, [BIN, "mfa", "import", ...args], env(), stdin);

const stderrOf = (message: string): string => `mfa-sts mfa import: ${message}\n`;

const BAD_SERIAL = "--serial must be 9 to 256 characters of letters, digits and _+=/:,.@-";
const ONE_OF = "give exactly one of --user NAME and --root";

/** The code a token with this base32 seed shows now, by the real clock. */
const codeNow = (base32: string): string => codeAt(base32Decode(base32), Math.floor(Date.now() / 30_000));

let dir: string;
let rootCreds: Credentials;
let aliceCreds: Credentials;
let served: ServeProcess | undefined;

beforeAll(async () => {
  dir = tempDir();
  const init = await mfaSts(["init", "--data-dir", dir, "--account-id", ACCOUNT, "--json"], env());
  expect(init.stderr).toBe("");
  expect(init.code).toBe(0);
  const a = JSON.parse(init.stdout);
  rootCreds = { accessKeyId: a.AccessKeyId, secretAccessKey: a.SecretAccessKey };

  // Users are made through the API of a served process, which then stops.
  const proc = await serve(["--data-dir", dir, "--log-level", "silent"], env());
  const { iam } = sdkClients(proc.url, rootCreds);
  for (const name of ["alice", "bob", "carol"]) await iam.send(new CreateUserCommand({ UserName: name }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "alice" }));
  aliceCreds = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  proc.child.kill("SIGTERM");
  expect(await proc.exited).toMatchObject({ code: 0 });
});

afterAll(async () => {
  if (served) {
    served.child.kill("SIGTERM");
    await served.exited;
  }
});

describe("mfa-sts mfa import", () => {
  it("registers a token for a user, and for the root user with the seed on stdin", async () => {
    const alice = await mfaImport(["--data-dir", dir, "--user", "alice", "--serial", "GAHT12345678", "--seed", ALICE_SEED]);
    expect(alice.stderr).toBe("");
    expect(alice.stdout).toBe(`registered hardware MFA device GAHT12345678 for user alice of account ${ACCOUNT}\n`);
    expect(alice.code).toBe(0);

    const root = await mfaImport(["--data-dir", dir, "--root", "--serial", "GAHT87654321", "--seed", "-"], `${ROOT_SEED.toLowerCase()}\n`);
    expect(root.stderr).toBe("");
    expect(root.stdout).toBe(`registered hardware MFA device GAHT87654321 for the root user of account ${ACCOUNT}\n`);
    expect(root.code).toBe(0);
  });

  it("refuses what the data does not allow with exit 1", async () => {
    const unknown = await mfaImport(["--data-dir", dir, "--user", "nobody", "--serial", "GAHT11111111", "--seed", ALICE_SEED]);
    expect(unknown).toEqual({ code: 1, stdout: "", stderr: stderrOf("the user with name nobody cannot be found") });

    // Alice's serial, again, for another user.
    const taken = await mfaImport(["--data-dir", dir, "--user", "bob", "--serial", "GAHT12345678", "--seed", ALICE_SEED]);
    expect(taken).toEqual({ code: 1, stdout: "", stderr: stderrOf("an MFA device with serial number GAHT12345678 already exists") });

    const empty = tempDir();
    const noAccount = await mfaImport(["--data-dir", empty, "--user", "alice", "--serial", "GAHT12345678", "--seed", ALICE_SEED]);
    expect(noAccount).toEqual({ code: 1, stdout: "", stderr: stderrOf(`no account in ${empty}; run mfa-sts init (or serve) first`) });
  });

  it("refuses a ninth device for one user with exit 1", async () => {
    const { store, secrets } = openDataDir(dir, undefined);
    try {
      const deps = { store, secrets, clock: systemClock, random: cryptoRandom };
      for (let i = 1; i <= 8; i++) {
        const result = await registerHardwareToken(deps, {
          accountId: ACCOUNT,
          userName: "carol",
          serialNumber: `CAROL0000${i}`,
          seed: base32Decode(ALICE_SEED),
        });
        expect(result).toBe("registered");
      }
    } finally {
      await store.close();
    }
    const ninth = await mfaImport(["--data-dir", dir, "--user", "carol", "--serial", "CAROL00009", "--seed", ALICE_SEED]);
    expect(ninth).toEqual({ code: 1, stdout: "", stderr: stderrOf("user carol already has 8 MFA devices, AWS's limit") });
  });

  it("refuses bad options with exit 2, before touching the data", async () => {
    const base = ["--data-dir", dir];
    const cases: Array<[string[], string]> = [
      [[...base, "--user", "bob", "--serial", "GAHT1234", "--seed", ALICE_SEED], BAD_SERIAL],
      [[...base, "--user", "bob", "--serial", "GAHT 12345678", "--seed", ALICE_SEED], BAD_SERIAL],
      [[...base, "--user", "bob", "--serial", "x".repeat(257), "--seed", ALICE_SEED], BAD_SERIAL],
      [
        [...base, "--user", "bob", "--serial", `arn:aws:iam::${ACCOUNT}:mfa/bob`, "--seed", ALICE_SEED],
        "--serial takes a hardware token's own serial (e.g. GAHT12345678); virtual devices are made with CreateVirtualMFADevice",
      ],
      [
        [...base, "--user", "bob", "--serial", "GAHT22222222", "--seed", "JBSWY3DPEHPK3PX1"],
        '--seed: invalid base32 character "1" at position 15 (allowed: A-Z, 2-7)',
      ],
      [
        [...base, "--user", "bob", "--serial", "GAHT22222222", "--seed", "JBSWY3DP"],
        "--seed: a TOTP seed needs at least 10 bytes (16 base32 characters)",
      ],
      [[...base, "--user", "bob", "--root", "--serial", "GAHT22222222", "--seed", ALICE_SEED], ONE_OF],
      [[...base, "--serial", "GAHT22222222", "--seed", ALICE_SEED], ONE_OF],
    ];
    const results = await Promise.all(cases.map(([args]) => mfaImport(args)));
    results.forEach((res, i) => {
      expect(res, cases[i]![0].join(" ")).toEqual({ code: 2, stdout: "", stderr: stderrOf(cases[i]![1]) });
    });

    // A seed on stdin is checked the same way.
    const stdinSeed = await mfaImport([...base, "--user", "bob", "--serial", "GAHT22222222", "--seed", "-"], "JBSWY3DP\n");
    expect(stdinSeed).toEqual({ code: 2, stdout: "", stderr: stderrOf("--seed: a TOTP seed needs at least 10 bytes (16 base32 characters)") });

    // commander's own refusal of a missing required option.
    const noSeed = await mfaImport([...base, "--user", "bob", "--serial", "GAHT22222222"]);
    expect(noSeed.code).toBe(2);
    expect(noSeed.stdout).toBe("");
    expect(noSeed.stderr).toContain("error: required option '--seed <base32>' not specified");

    // Nothing of the above was registered: bob's serial is still free.
    const bob = await mfaImport([...base, "--user", "bob", "--serial", "GAHT22222222", "--seed", ALICE_SEED]);
    expect(bob.code).toBe(0);
  });
});

describe("an imported token with a served process and boto3", () => {
  it("GetSessionToken with the hardware serial: ASIA credentials once per code; the root user's MFA session may call IAM", async () => {
    served = await serve(["--data-dir", dir, "--log-level", "silent"], env());
    const aliceCode = codeNow(ALICE_SEED);
    const rootCode = codeNow(ROOT_SEED);
    const res = await boto3(
      served.url,
      rootCreds,
      [
        "def clients(ak, sk, tok=None):",
        "    s = boto3.session.Session(aws_access_key_id=ak, aws_secret_access_key=sk, aws_session_token=tok, region_name='us-east-1')",
        "    return s.client('sts', endpoint_url=sts.meta.endpoint_url, config=cfg), s.client('iam', endpoint_url=sts.meta.endpoint_url, config=cfg)",
        "def me(s):",
        "    r = s.get_caller_identity(); r.pop('ResponseMetadata'); return r",
        `a, _ = clients(${JSON.stringify(aliceCreds.accessKeyId)}, ${JSON.stringify(aliceCreds.secretAccessKey)})`,
        "r = {}",
        // The root user cannot use alice's token.
        `r['rootWithAlices'] = err(lambda: sts.get_session_token(SerialNumber='GAHT12345678', TokenCode=${JSON.stringify(aliceCode)}))`,
        `c = a.get_session_token(SerialNumber='GAHT12345678', TokenCode=${JSON.stringify(aliceCode)})['Credentials']`,
        "r['alice'] = c['AccessKeyId']",
        `r['aliceReplay'] = err(lambda: a.get_session_token(SerialNumber='GAHT12345678', TokenCode=${JSON.stringify(aliceCode)}))`,
        "as_, ai = clients(c['AccessKeyId'], c['SecretAccessKey'], c['SessionToken'])",
        "r['aliceMe'] = me(as_)",
        "r['aliceIam'] = err(lambda: ai.list_users())",
        `rc = sts.get_session_token(SerialNumber='GAHT87654321', TokenCode=${JSON.stringify(rootCode)})['Credentials']`,
        "rs, ri = clients(rc['AccessKeyId'], rc['SecretAccessKey'], rc['SessionToken'])",
        "r['rootMe'] = me(rs)",
        "r['rootUsers'] = sorted(u['UserName'] for u in ri.list_users()['Users'])",
        `r['rootReplay'] = err(lambda: sts.get_session_token(SerialNumber='GAHT87654321', TokenCode=${JSON.stringify(rootCode)}))`,
        "print(json.dumps(r))",
      ].join("\n"),
    );
    expect(res.stderr).toBe("");
    const out = JSON.parse(res.stdout);
    const invalidCode = [403, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code. "];
    expect(out).toEqual({
      rootWithAlices: [
        403,
        "AccessDenied",
        "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.",
      ],
      alice: expect.stringMatching(/^ASIA[A-Z2-7]{16}$/),
      aliceReplay: invalidCode,
      aliceMe: { UserId: expect.stringMatching(/^AIDA/), Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/alice` },
      aliceIam: [403, "AccessDenied", `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${ACCOUNT}:user/ because no identity-based policy allows the iam:ListUsers action`],
      rootMe: { UserId: ACCOUNT, Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root` },
      rootUsers: ["alice", "bob", "carol"],
      rootReplay: invalidCode,
    });
  });
});
