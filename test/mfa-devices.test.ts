/**
 * The IAM MFA API end to end through @aws-sdk/client-iam against a real server (and raw signed
 * requests where the exact XML matters): CreateVirtualMFADevice, EnableMFADevice,
 * ResyncMFADevice, DeactivateMFADevice, DeleteVirtualMFADevice, ListMFADevices,
 * ListVirtualMFADevices, GetMFADevice, with AWS's codes, statuses and texts
 * (aws-recordings/iam__test_iam_mfa.snapshot.json, spec §7). Each test gets its own server,
 * its clock frozen at a step start, so lists are exact and codes never straddle a step boundary.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand,
  DeleteUserCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GetMFADeviceCommand,
  ListMFADevicesCommand,
  ListUsersCommand,
  ListVirtualMFADevicesCommand,
  ResyncMFADeviceCommand,
  type IAMClient,
} from "@aws-sdk/client-iam";
import { GetSessionTokenCommand } from "@aws-sdk/client-sts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { base32Decode } from "../src/mfa/seed.js";
import { sdkClients, sdkError } from "./helpers/clients.js";
import {
  advanceSteps,
  codeAt,
  createUserWithKey,
  createVirtualDevice,
  enabledVirtualDevice,
  freezeAtStepStart,
  serverStep,
  type VirtualDevice,
} from "./helpers/mfa.js";
import { startTestServer, type TestServer } from "./helpers/server.js";
import { signedFetch } from "./helpers/signed-fetch.js";

let server: TestServer;
let root: ReturnType<typeof sdkClients>;
let account: string;

beforeEach(async () => {
  server = await startTestServer();
  freezeAtStepStart(server);
  root = sdkClients(server.url, server.root);
  account = server.accountId;
});
afterEach(async () => {
  await server?.close();
});

const mfaArn = (name: string, path = "/"): string => `arn:aws:iam::${account}:mfa${path}${name}`;

const INVALID_AUTH_CODE = { status: 403, code: "InvalidAuthenticationCode", message: "Authentication code for device is not valid." };
const IN_USE = { status: 409, code: "EntityAlreadyExists", message: "MFA Device is already in use." };
const noSuchDevice = (serial: string) => ({ status: 404, code: "NoSuchEntity", message: `MFA Device with serial number ${serial} does not exist.` });
const noSuchUser = (name: string) => ({ status: 404, code: "NoSuchEntity", message: `The user with name ${name} cannot be found.` });
const INVALID_PATH = {
  status: 400,
  code: "ValidationError",
  message:
    "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.",
};
/** GetSessionToken's answer to a wrong or spent code (spec §4.2 row 1, trailing space included). */
const STS_INVALID_CODE = { status: 403, code: "AccessDenied", message: "MultiFactorAuthentication failed with invalid MFA one time pass code. " };

/** A 6-digit code that is not the device's code for any step near `step`. */
function wrongCode(seed: Buffer, step: number): string {
  const near = new Set(Array.from({ length: 41 }, (_, i) => codeAt(seed, step - 20 + i)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, "0");
    if (!near.has(code)) return code;
  }
}

const enable = (iam: IAMClient, userName: string, device: VirtualDevice, step1: number, step2 = step1 + 1) =>
  iam.send(
    new EnableMFADeviceCommand({
      UserName: userName,
      SerialNumber: device.serialNumber,
      AuthenticationCode1: codeAt(device.seed, step1),
      AuthenticationCode2: codeAt(device.seed, step2),
    }),
  );

const resync = (iam: IAMClient, userName: string, device: VirtualDevice, step1: number, step2 = step1 + 1) =>
  iam.send(
    new ResyncMFADeviceCommand({
      UserName: userName,
      SerialNumber: device.serialNumber,
      AuthenticationCode1: codeAt(device.seed, step1),
      AuthenticationCode2: codeAt(device.seed, step2),
    }),
  );

const listVirtual = async (AssignmentStatus?: "Assigned" | "Unassigned" | "Any") =>
  root.iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus }));

const serialsOf = (list: { VirtualMFADevices?: { SerialNumber?: string }[] }) => list.VirtualMFADevices!.map((d) => d.SerialNumber);

describe("CreateVirtualMFADevice", () => {
  it("returns the device ARN, a 64-character base32 seed of 40 bytes and a PNG QR code", async () => {
    const { VirtualMFADevice: d } = await root.iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "alice-phone" }));
    expect(d!.SerialNumber).toBe(`arn:aws:iam::${account}:mfa/alice-phone`);
    const base32 = Buffer.from(d!.Base32StringSeed!).toString("ascii");
    expect(base32).toMatch(/^[A-Z2-7]{64}$/);
    expect(base32Decode(base32)).toHaveLength(40);
    expect(Buffer.from(d!.QRCodePNG!).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(d!.Tags).toBeUndefined();

    // Another device gets another seed.
    const other = await createVirtualDevice(root.iam, "alice-tablet");
    expect(other.seed.equals(base32Decode(base32))).toBe(false);
  });

  it("puts the path into the serial: /test-path/, /test//double/ and the default /", async () => {
    const withPath = await createVirtualDevice(root.iam, "pathdev", "/test-path/");
    expect(withPath.serialNumber).toBe(`arn:aws:iam::${account}:mfa/test-path/pathdev`);
    const slash = await createVirtualDevice(root.iam, "slashdev", "/");
    expect(slash.serialNumber).toBe(`arn:aws:iam::${account}:mfa/slashdev`);
    // Recorded: an empty segment is a valid path.
    const double = await createVirtualDevice(root.iam, "doubledev", "/test//double/");
    expect(double.serialNumber).toBe(`arn:aws:iam::${account}:mfa/test//double/doubledev`);
    expect(serialsOf(await listVirtual())).toEqual([slash.serialNumber, withPath.serialNumber, double.serialNumber].sort());
    // Deleted by that serial, path and all.
    await root.iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: double.serialNumber }));
    expect(serialsOf(await listVirtual())).toEqual([slash.serialNumber, withPath.serialNumber].sort());
  });

  it("refuses a name already taken: EntityAlreadyExists 409", async () => {
    await createVirtualDevice(root.iam, "dupdev");
    const exists = { status: 409, code: "EntityAlreadyExists", message: "MFA device already exists." };
    expect(await sdkError(root.iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "dupdev" })))).toEqual(exists);
    // IAM names are not distinguished by case.
    expect(await sdkError(root.iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "DUPDEV" })))).toEqual(exists);
    expect(serialsOf(await listVirtual())).toEqual([mfaArn("dupdev")]);
  });

  it("validates path and name with the recorded ValidationError texts", async () => {
    const create = (VirtualMFADeviceName: string, Path?: string) =>
      sdkError(root.iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName, Path })));
    expect(await create("mfa-a", "invalid-path/")).toEqual(INVALID_PATH);
    expect(await create("mfa-b", "/invalid-path")).toEqual(INVALID_PATH);
    expect(await create("mfa-c", `/${"a".repeat(512)}/`)).toEqual({
      status: 400,
      code: "ValidationError",
      message: "1 validation error detected: Value at 'path' failed to satisfy constraint: Member must have length less than or equal to 512",
    });
    expect(await create("bad name!")).toEqual({
      status: 400,
      code: "ValidationError",
      message:
        "1 validation error detected: Value 'bad name!' at 'virtualMFADeviceName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    });
    expect((await listVirtual()).VirtualMFADevices).toEqual([]);
  });

  it("keeps Tags: returned by Create and by ListVirtualMFADevices; duplicate keys (any case) refused", async () => {
    const Tags = [
      { Key: "team", Value: "blue" },
      { Key: "Owner", Value: "" },
    ];
    const created = await root.iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "tagged", Tags }));
    expect(created.VirtualMFADevice!.Tags).toEqual(Tags);
    const listed = await listVirtual();
    expect(listed.VirtualMFADevices).toEqual([{ SerialNumber: mfaArn("tagged"), Tags }]);

    const duplicate = root.iam.send(
      new CreateVirtualMFADeviceCommand({
        VirtualMFADeviceName: "dup-tags",
        // Keys are compared exactly, as AWS was recorded doing for policies' tags.
        Tags: [
          { Key: "env", Value: "a" },
          { Key: "env", Value: "b" },
        ],
      }),
    );
    expect(await sdkError(duplicate)).toEqual({
      status: 400,
      code: "InvalidInput",
      message: "Duplicate tag keys found.",
    });
    expect(serialsOf(await listVirtual())).toEqual([mfaArn("tagged")]);
  });
});

describe("EnableMFADevice", () => {
  it("takes two consecutive codes (the previous and the current step)", async () => {
    await createUserWithKey(root.iam, "alice");
    const device = await createVirtualDevice(root.iam, "alice");
    const step = serverStep(server);
    await enable(root.iam, "alice", device, step - 1, step);
    const listed = await root.iam.send(new ListMFADevicesCommand({ UserName: "alice" }));
    expect(listed.MFADevices!.map((d) => d.SerialNumber)).toEqual([device.serialNumber]);
  });

  it("refuses a wrong code, non-consecutive codes and codes too far from now: InvalidAuthenticationCode 403", async () => {
    await createUserWithKey(root.iam, "bob");
    // Two devices, four refusals each: a fifth wrong pair for one device would lock it (the
    // attempt limits, test/attempt-limits-boto3.test.ts).
    const first = await createVirtualDevice(root.iam, "bob");
    const second = await createVirtualDevice(root.iam, "bob-2");
    const step = serverStep(server);
    const attempt = (device: VirtualDevice, code1: string, code2: string) =>
      sdkError(
        root.iam.send(
          new EnableMFADeviceCommand({ UserName: "bob", SerialNumber: device.serialNumber, AuthenticationCode1: code1, AuthenticationCode2: code2 }),
        ),
      );
    const at = (device: VirtualDevice, s: number) => codeAt(device.seed, s);
    expect(await attempt(first, at(first, step - 1), wrongCode(first.seed, step))).toEqual(INVALID_AUTH_CODE);
    expect(await attempt(first, wrongCode(first.seed, step), at(first, step))).toEqual(INVALID_AUTH_CODE);
    expect(await attempt(first, at(first, step - 2), at(first, step))).toEqual(INVALID_AUTH_CODE); // not consecutive
    expect(await attempt(first, at(first, step), at(first, step - 1))).toEqual(INVALID_AUTH_CODE); // wrong order
    expect(await attempt(second, at(second, step), at(second, step))).toEqual(INVALID_AUTH_CODE); // the same code twice
    expect(await attempt(second, at(second, step - 6), at(second, step - 5))).toEqual(INVALID_AUTH_CODE); // minutes old
    expect(await attempt(second, at(second, step + 5), at(second, step + 6))).toEqual(INVALID_AUTH_CODE); // minutes ahead
    expect(await attempt(second, at(second, step - 21), at(second, step - 20))).toEqual(INVALID_AUTH_CODE);
    // None of that enabled anything; the right pairs still work.
    expect((await root.iam.send(new ListMFADevicesCommand({ UserName: "bob" }))).MFADevices).toEqual([]);
    await enable(root.iam, "bob", first, step - 1, step);
    await enable(root.iam, "bob", second, step - 1, step);
  });

  it("unknown user, unknown device: NoSuchEntity 404 with the recorded texts", async () => {
    const device = await createVirtualDevice(root.iam, "orphan");
    // The user is looked up first, whatever the codes (as recorded, with 123456 / 654321).
    const enableFor = (UserName: string, SerialNumber: string) =>
      sdkError(
        root.iam.send(new EnableMFADeviceCommand({ UserName, SerialNumber, AuthenticationCode1: "123456", AuthenticationCode2: "654321" })),
      );
    expect(await enableFor("nonexistent-user", device.serialNumber)).toEqual(noSuchUser("nonexistent-user"));
    await createUserWithKey(root.iam, "carol");
    const missing = mfaArn("nonexistent-mfa");
    expect(await enableFor("carol", missing)).toEqual(noSuchDevice(missing));
  });

  it("a device already enabled, for the same or another user: EntityAlreadyExists 409", async () => {
    await createUserWithKey(root.iam, "dave");
    await createUserWithKey(root.iam, "erin");
    const device = await enabledVirtualDevice(server, root.iam, "dave");
    const step = serverStep(server);
    // Fresh, valid codes: the device's assignment is what refuses them.
    expect(await sdkError(enable(root.iam, "dave", device, step + 1, step + 2))).toEqual(IN_USE);
    expect(await sdkError(enable(root.iam, "erin", device, step + 1, step + 2))).toEqual(IN_USE);
    expect((await root.iam.send(new ListMFADevicesCommand({ UserName: "erin" }))).MFADevices).toEqual([]);
  });

  it("at most eight devices per user: the ninth is LimitExceeded 409", async () => {
    await createUserWithKey(root.iam, "frank");
    const step = serverStep(server);
    for (let i = 1; i <= 8; i++) await enabledVirtualDevice(server, root.iam, "frank", `frank-${i}`);
    const ninth = await createVirtualDevice(root.iam, "frank-9");
    expect(await sdkError(enable(root.iam, "frank", ninth, step - 1, step))).toEqual({
      status: 409,
      code: "LimitExceeded",
      message: "Cannot exceed quota for MFADevicesPerUser: 8",
    });
    expect((await root.iam.send(new ListMFADevicesCommand({ UserName: "frank" }))).MFADevices).toHaveLength(8);
    // The ninth stays unassigned and can go to someone else.
    await createUserWithKey(root.iam, "grace");
    await enable(root.iam, "grace", ninth, step - 1, step);
  });
});

describe("ListMFADevices, ListVirtualMFADevices, GetMFADevice", () => {
  it("ListMFADevices: UserName, SerialNumber and EnableDate (server time at enable, to the second)", async () => {
    await createUserWithKey(root.iam, "alice");
    const device = await createVirtualDevice(root.iam, "alice-mfa");
    expect((await root.iam.send(new ListMFADevicesCommand({ UserName: "alice" }))).MFADevices).toEqual([]);
    server.clock.fixedMs! += 789; // mid-second, same step
    const enabledAt = server.clock.now();
    const step = serverStep(server);
    await enable(root.iam, "alice", device, step - 1, step);
    server.clock.fixedMs! += 20_000; // later calls do not change it

    const listed = await root.iam.send(new ListMFADevicesCommand({ UserName: "ALICE" }));
    expect(listed.MFADevices).toEqual([
      { UserName: "alice", SerialNumber: device.serialNumber, EnableDate: new Date(Math.floor(enabledAt / 1000) * 1000) },
    ]);
    expect(listed.IsTruncated).toBe(false);
    expect(listed.Marker).toBeUndefined();
    expect(await sdkError(root.iam.send(new ListMFADevicesCommand({ UserName: "nobody" })))).toEqual(noSuchUser("nobody"));
  });

  it("ListMFADevices pages with MaxItems and Marker", async () => {
    await createUserWithKey(root.iam, "pager");
    const serials: string[] = [];
    for (const n of ["p1", "p2", "p3"]) serials.push((await enabledVirtualDevice(server, root.iam, "pager", n)).serialNumber);
    const first = await root.iam.send(new ListMFADevicesCommand({ UserName: "pager", MaxItems: 2 }));
    expect(first.MFADevices!.map((d) => d.SerialNumber)).toEqual(serials.slice(0, 2));
    expect(first.IsTruncated).toBe(true);
    const second = await root.iam.send(new ListMFADevicesCommand({ UserName: "pager", MaxItems: 2, Marker: first.Marker }));
    expect(second.MFADevices!.map((d) => d.SerialNumber)).toEqual(serials.slice(2));
    expect(second.IsTruncated).toBe(false);
    expect(await sdkError(root.iam.send(new ListMFADevicesCommand({ UserName: "pager", Marker: "invalid-marker-value" })))).toEqual({
      status: 400,
      code: "ValidationError",
      message: "Invalid Marker.",
    });
  });

  it("ListVirtualMFADevices: Assigned / Unassigned / Any (the default); unassigned members carry only SerialNumber", async () => {
    const { User: alice } = await root.iam.send(new CreateUserCommand({ UserName: "alice", Path: "/team/" }));
    const free = [await createVirtualDevice(root.iam, "mfa-list-0"), await createVirtualDevice(root.iam, "mfa-list-1")];
    const step = serverStep(server);
    const enabledAt = new Date(server.clock.now());
    const used = await createVirtualDevice(root.iam, "mfa-list-2");
    await enable(root.iam, "alice", used, step - 1, step);

    const assignedMember = {
      SerialNumber: used.serialNumber,
      User: alice, // Path, UserName, UserId, Arn, CreateDate
      EnableDate: enabledAt,
    };
    expect(alice).toMatchObject({ Path: "/team/", UserName: "alice", Arn: `arn:aws:iam::${account}:user/team/alice` });

    const unassigned = await listVirtual("Unassigned");
    expect(unassigned.VirtualMFADevices).toEqual(free.map((d) => ({ SerialNumber: d.serialNumber })));
    expect(unassigned.IsTruncated).toBe(false);
    for (const member of unassigned.VirtualMFADevices!) expect(Object.keys(member)).toEqual(["SerialNumber"]);

    const assigned = await listVirtual("Assigned");
    expect(assigned.VirtualMFADevices).toEqual([assignedMember]);
    expect(Object.keys(assigned.VirtualMFADevices![0]!).sort()).toEqual(["EnableDate", "SerialNumber", "User"]);

    const any = await listVirtual("Any");
    expect(any.VirtualMFADevices).toEqual([...free.map((d) => ({ SerialNumber: d.serialNumber })), assignedMember]);
    expect(await listVirtual()).toMatchObject({ VirtualMFADevices: any.VirtualMFADevices, IsTruncated: false });

    // On the wire (AWS pretty-prints; compared here without the indentation): an unassigned
    // member is exactly <member><SerialNumber>…</SerialNumber></member>.
    const raw = await signedFetch(server.url, server.root, {
      service: "iam",
      body: "Action=ListVirtualMFADevices&Version=2010-05-08&AssignmentStatus=Unassigned",
    });
    expect(raw.status).toBe(200);
    expect(raw.body.replace(/>\s+</g, "><")).toContain(
      `<VirtualMFADevices><member><SerialNumber>${free[0]!.serialNumber}</SerialNumber></member>` +
        `<member><SerialNumber>${free[1]!.serialNumber}</SerialNumber></member></VirtualMFADevices>`,
    );
  });

  it("ListVirtualMFADevices pages with MaxItems and Marker; a forged Marker is ValidationError 400", async () => {
    const serials: string[] = [];
    for (let i = 0; i < 5; i++) serials.push((await createVirtualDevice(root.iam, `page-${i}`)).serialNumber);
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await root.iam.send(new ListVirtualMFADevicesCommand({ MaxItems: 2, Marker: marker }));
      expect(page.VirtualMFADevices!.length).toBeLessThanOrEqual(2);
      seen.push(...page.VirtualMFADevices!.map((d) => d.SerialNumber!));
      expect(page.IsTruncated).toBe(page.Marker !== undefined);
      marker = page.IsTruncated ? page.Marker : undefined;
      pages++;
    } while (marker);
    expect(seen).toEqual(serials.sort());
    expect(pages).toBe(3);

    const invalid = { status: 400, code: "ValidationError", message: "Invalid Marker." };
    expect(await sdkError(root.iam.send(new ListVirtualMFADevicesCommand({ Marker: "invalid-marker-value" })))).toEqual(invalid);
    // A real marker from another list is not a marker of this one.
    for (const n of ["u1", "u2"]) await root.iam.send(new CreateUserCommand({ UserName: n }));
    const users = await root.iam.send(new ListUsersCommand({ MaxItems: 1 }));
    expect(users.Marker).toBeDefined();
    expect(await sdkError(root.iam.send(new ListVirtualMFADevicesCommand({ Marker: users.Marker })))).toEqual(invalid);
  });

  it("GetMFADevice: the user's device; a device not enabled for that user is NoSuchEntity", async () => {
    await createUserWithKey(root.iam, "alice");
    await createUserWithKey(root.iam, "bob");
    const enabledAt = new Date(server.clock.now());
    const device = await enabledVirtualDevice(server, root.iam, "alice");
    const got = await root.iam.send(new GetMFADeviceCommand({ UserName: "alice", SerialNumber: device.serialNumber }));
    expect(got).toMatchObject({ UserName: "alice", SerialNumber: device.serialNumber, EnableDate: enabledAt });

    expect(await sdkError(root.iam.send(new GetMFADeviceCommand({ UserName: "bob", SerialNumber: device.serialNumber })))).toEqual(
      noSuchDevice(device.serialNumber),
    );
    const unassigned = await createVirtualDevice(root.iam, "spare");
    expect(await sdkError(root.iam.send(new GetMFADeviceCommand({ UserName: "alice", SerialNumber: unassigned.serialNumber })))).toEqual(
      noSuchDevice(unassigned.serialNumber),
    );
    const missing = mfaArn("nonexistent-mfa");
    expect(await sdkError(root.iam.send(new GetMFADeviceCommand({ UserName: "alice", SerialNumber: missing })))).toEqual(noSuchDevice(missing));
    expect(await sdkError(root.iam.send(new GetMFADeviceCommand({ UserName: "nobody", SerialNumber: device.serialNumber })))).toEqual(
      noSuchUser("nobody"),
    );
  });
});

describe("ResyncMFADevice", () => {
  /**
   * Enables a device for a fresh user at the current step, then moves the server's clock on;
   * the test then reads codes as a device whose clock is `drift` steps off the server's would.
   */
  async function driftedDevice(name: string, serverAdvance: number) {
    const creds = await createUserWithKey(root.iam, name);
    const device = await enabledVirtualDevice(server, root.iam, name);
    const enabledStep = serverStep(server);
    advanceSteps(server, serverAdvance);
    return { creds, device, enabledStep };
  }

  const gst = (creds: { accessKeyId: string; secretAccessKey: string }, device: VirtualDevice, code: string) =>
    sdkClients(server.url, creds).sts.send(new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: code }));

  for (const { label, serverAdvance, drift } of [
    { label: "5 steps behind", serverAdvance: 10, drift: -5 },
    { label: "5 steps ahead", serverAdvance: 2, drift: 5 },
  ]) {
    it(`a device ${label}: two consecutive codes resync it, and STS then takes codes at the device's time`, async () => {
      const name = drift > 0 ? "ahead" : "behind";
      const { creds, device, enabledStep } = await driftedDevice(name, serverAdvance);
      const deviceStep = () => serverStep(server) + drift;
      expect(deviceStep()).toBeGreaterThan(enabledStep + 1); // its codes are all new: only the drift is in the way

      // Out of sync: the code the device shows now is refused.
      expect(await sdkError(gst(creds, device, codeAt(device.seed, deviceStep())))).toEqual(STS_INVALID_CODE);

      await resync(root.iam, name, device, deviceStep() - 1, deviceStep());
      advanceSteps(server, 1); // the next code the device shows
      const ok = await gst(creds, device, codeAt(device.seed, deviceStep()));
      expect(ok.Credentials!.AccessKeyId).toMatch(/^ASIA/);
      // Once only; and the codes used for the resync are spent too.
      expect(await sdkError(gst(creds, device, codeAt(device.seed, deviceStep())))).toEqual(STS_INVALID_CODE);
      expect(await sdkError(gst(creds, device, codeAt(device.seed, deviceStep() - 1)))).toEqual(STS_INVALID_CODE);
      // The drift is remembered: the device's next code is taken a step later too.
      advanceSteps(server, 1);
      await gst(creds, device, codeAt(device.seed, deviceStep()));
    });
  }

  it("wrong or spent codes: InvalidAuthenticationCode; a device not enabled for that user: NoSuchEntity", async () => {
    const creds = await createUserWithKey(root.iam, "resyncer");
    await createUserWithKey(root.iam, "someone");
    const device = await enabledVirtualDevice(server, root.iam, "resyncer");
    const step = serverStep(server);
    const attempt = (code1: string, code2: string, UserName = "resyncer", SerialNumber = device.serialNumber) =>
      sdkError(root.iam.send(new ResyncMFADeviceCommand({ UserName, SerialNumber, AuthenticationCode1: code1, AuthenticationCode2: code2 })));

    expect(await attempt(codeAt(device.seed, step + 1), wrongCode(device.seed, step))).toEqual(INVALID_AUTH_CODE);
    expect(await attempt(codeAt(device.seed, step), codeAt(device.seed, step + 2))).toEqual(INVALID_AUTH_CODE);
    // The enable codes (steps up to the last accepted one) cannot be replayed.
    expect(await attempt(codeAt(device.seed, step - 1), codeAt(device.seed, step))).toEqual(INVALID_AUTH_CODE);
    expect(await attempt(codeAt(device.seed, step), codeAt(device.seed, step + 1))).toEqual(INVALID_AUTH_CODE);

    expect(await attempt(codeAt(device.seed, step + 1), codeAt(device.seed, step + 2), "someone")).toEqual(noSuchDevice(device.serialNumber));
    const spare = await createVirtualDevice(root.iam, "spare");
    expect(await attempt(codeAt(spare.seed, step), codeAt(spare.seed, step + 1), "resyncer", spare.serialNumber)).toEqual(
      noSuchDevice(spare.serialNumber),
    );
    const missing = mfaArn("nonexistent-mfa");
    expect(await attempt("123456", "654321", "resyncer", missing)).toEqual(noSuchDevice(missing));
    expect(await attempt("123456", "654321", "nonexistent-user")).toEqual(noSuchUser("nonexistent-user"));

    // After all that, a right pair of new codes resyncs, and STS takes the following code.
    advanceSteps(server, 2);
    await resync(root.iam, "resyncer", device, step + 1, step + 2);
    advanceSteps(server, 1);
    await sdkClients(server.url, creds).sts.send(
      new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: codeAt(device.seed, serverStep(server)) }),
    );
  });
});

describe("DeactivateMFADevice", () => {
  it("unknown user and unknown device: the recorded NoSuchEntity texts", async () => {
    const device = await createVirtualDevice(root.iam, "mfa-errors");
    expect(
      await sdkError(root.iam.send(new DeactivateMFADeviceCommand({ UserName: "nonexistent-user", SerialNumber: device.serialNumber }))),
    ).toEqual(noSuchUser("nonexistent-user"));
    await createUserWithKey(root.iam, "user-1");
    const missing = mfaArn("nonexistent-mfa");
    expect(await sdkError(root.iam.send(new DeactivateMFADeviceCommand({ UserName: "user-1", SerialNumber: missing })))).toEqual(
      noSuchDevice(missing),
    );
    // An existing device that is not enabled for that user reads the same.
    expect(await sdkError(root.iam.send(new DeactivateMFADeviceCommand({ UserName: "user-1", SerialNumber: device.serialNumber })))).toEqual(
      noSuchDevice(device.serialNumber),
    );
    await createUserWithKey(root.iam, "user-2");
    const theirs = await enabledVirtualDevice(server, root.iam, "user-2");
    expect(await sdkError(root.iam.send(new DeactivateMFADeviceCommand({ UserName: "user-1", SerialNumber: theirs.serialNumber })))).toEqual(
      noSuchDevice(theirs.serialNumber),
    );
  });

  it("leaves the device Unassigned; it re-enables only with codes later than the last step accepted", async () => {
    const creds = await createUserWithKey(root.iam, "alice");
    const device = await enabledVirtualDevice(server, root.iam, "alice");
    const S = serverStep(server);
    // A session with the next code: the last accepted step is now S + 1.
    advanceSteps(server, 1);
    await sdkClients(server.url, creds).sts.send(
      new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: codeAt(device.seed, S + 1) }),
    );

    await root.iam.send(new DeactivateMFADeviceCommand({ UserName: "alice", SerialNumber: device.serialNumber }));
    expect((await root.iam.send(new ListMFADevicesCommand({ UserName: "alice" }))).MFADevices).toEqual([]);
    expect((await listVirtual("Assigned")).VirtualMFADevices).toEqual([]);
    expect((await listVirtual("Unassigned")).VirtualMFADevices).toEqual([{ SerialNumber: device.serialNumber }]);
    // Deactivating twice: it is no longer enabled for her.
    expect(await sdkError(root.iam.send(new DeactivateMFADeviceCommand({ UserName: "alice", SerialNumber: device.serialNumber })))).toEqual(
      noSuchDevice(device.serialNumber),
    );

    // Replays across re-enable: every pair with a code at or before S + 1 is refused, for anyone.
    await createUserWithKey(root.iam, "bob");
    expect(await sdkError(enable(root.iam, "alice", device, S - 1, S))).toEqual(INVALID_AUTH_CODE);
    expect(await sdkError(enable(root.iam, "bob", device, S - 1, S))).toEqual(INVALID_AUTH_CODE);
    expect(await sdkError(enable(root.iam, "alice", device, S, S + 1))).toEqual(INVALID_AUTH_CODE);
    advanceSteps(server, 1); // server at S + 2
    expect(await sdkError(enable(root.iam, "alice", device, S + 1, S + 2))).toEqual(INVALID_AUTH_CODE);
    advanceSteps(server, 1); // server at S + 3: both codes new
    await enable(root.iam, "bob", device, S + 2, S + 3);
    expect((await listVirtual("Assigned")).VirtualMFADevices!.map((d) => d.User!.UserName)).toEqual(["bob"]);
  });
});

describe("DeleteVirtualMFADevice and DeleteUser", () => {
  it("refuses an enabled device (DeleteConflict 409) and an unknown one (NoSuchEntity); deletes a deactivated one", async () => {
    await createUserWithKey(root.iam, "alice");
    const device = await enabledVirtualDevice(server, root.iam, "alice", "alice-phone");
    expect(await sdkError(root.iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: device.serialNumber })))).toEqual({
      status: 409,
      code: "DeleteConflict",
      message: "Cannot delete entity, must deactivate MFA device first.",
    });
    const missing = mfaArn("nonexistent-device");
    expect(await sdkError(root.iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: missing })))).toEqual(noSuchDevice(missing));

    await root.iam.send(new DeactivateMFADeviceCommand({ UserName: "alice", SerialNumber: device.serialNumber }));
    await root.iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: device.serialNumber }));
    expect((await listVirtual()).VirtualMFADevices).toEqual([]);
    expect((await root.iam.send(new ListMFADevicesCommand({ UserName: "alice" }))).MFADevices).toEqual([]);
    expect(await sdkError(root.iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: device.serialNumber })))).toEqual(
      noSuchDevice(device.serialNumber),
    );
    const step = serverStep(server);
    expect(await sdkError(enable(root.iam, "alice", device, step - 1, step))).toEqual(noSuchDevice(device.serialNumber));
    // The name is free again, with a new seed.
    const again = await createVirtualDevice(root.iam, "alice-phone");
    expect(again.serialNumber).toBe(device.serialNumber);
    expect(again.seed.equals(device.seed)).toBe(false);
  });

  it("DeleteUser with an enabled device (and no access keys): DeleteConflict 409", async () => {
    await root.iam.send(new CreateUserCommand({ UserName: "leaver" }));
    const device = await enabledVirtualDevice(server, root.iam, "leaver");
    expect(await sdkError(root.iam.send(new DeleteUserCommand({ UserName: "leaver" })))).toEqual({
      status: 409,
      code: "DeleteConflict",
      message: "Cannot delete entity, must delete MFA device first.",
    });
    await root.iam.send(new DeactivateMFADeviceCommand({ UserName: "leaver", SerialNumber: device.serialNumber }));
    await root.iam.send(new DeleteUserCommand({ UserName: "leaver" }));
    expect((await listVirtual("Unassigned")).VirtualMFADevices).toEqual([{ SerialNumber: device.serialNumber }]);
  });
});

describe("authorization", () => {
  it("an IAM user without policies is refused every MFA action, naming the action and resource", async () => {
    await root.iam.send(new CreateUserCommand({ UserName: "erin", Path: "/eng/" }));
    const { AccessKey } = await root.iam.send(new CreateAccessKeyCommand({ UserName: "erin" }));
    const creds = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    const device = await enabledVirtualDevice(server, root.iam, "erin", "erin-phone");
    const step = serverStep(server);
    const codes = { AuthenticationCode1: codeAt(device.seed, step + 1), AuthenticationCode2: codeAt(device.seed, step + 2) };
    const me = `arn:aws:iam::${account}:user/eng/erin`;
    // Actions on a user name it as IAM does, "user NAME"; devices by their ARN (spec §6.3).
    const erin = "user erin";
    const { iam } = sdkClients(server.url, creds);

    const cases: [unknown, string, string][] = [
      [new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "sneaky", Path: "/x/" }), "iam:CreateVirtualMFADevice", mfaArn("sneaky", "/x/")],
      [new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "sneaky" }), "iam:CreateVirtualMFADevice", mfaArn("sneaky")],
      [new EnableMFADeviceCommand({ UserName: "erin", SerialNumber: device.serialNumber, ...codes }), "iam:EnableMFADevice", erin],
      [new EnableMFADeviceCommand({ UserName: "nobody", SerialNumber: device.serialNumber, ...codes }), "iam:EnableMFADevice", "user nobody"],
      [new ResyncMFADeviceCommand({ UserName: "erin", SerialNumber: device.serialNumber, ...codes }), "iam:ResyncMFADevice", erin],
      [new DeactivateMFADeviceCommand({ SerialNumber: device.serialNumber }), "iam:DeactivateMFADevice", erin],
      [new DeactivateMFADeviceCommand({ UserName: "erin", SerialNumber: device.serialNumber }), "iam:DeactivateMFADevice", erin],
      [new DeleteVirtualMFADeviceCommand({ SerialNumber: device.serialNumber }), "iam:DeleteVirtualMFADevice", device.serialNumber],
      [new ListMFADevicesCommand({}), "iam:ListMFADevices", erin],
      [new ListVirtualMFADevicesCommand({}), "iam:ListVirtualMFADevices", `arn:aws:iam::${account}:mfa/`],
      [new GetMFADeviceCommand({ SerialNumber: device.serialNumber }), "iam:GetMFADevice", erin],
    ];
    for (const [command, action, resource] of cases) {
      expect(await sdkError(iam.send(command as never))).toEqual({
        status: 403,
        code: "AccessDenied",
        message: `User: ${me} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
      });
    }
    // Nothing changed.
    expect(await listVirtual()).toMatchObject({ VirtualMFADevices: [{ SerialNumber: device.serialNumber, User: { UserName: "erin" } }] });
    // The codes were not spent by the refused calls: root can still resync with them.
    await root.iam.send(new ResyncMFADeviceCommand({ UserName: "erin", SerialNumber: device.serialNumber, ...codes }));
  });
});

describe("seeds at rest", () => {
  it("neither the base32 seed nor its bytes (hex, base64) are in the SQLite files", async () => {
    const { VirtualMFADevice: d } = await root.iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "secret-seed" }));
    const base32 = Buffer.from(d!.Base32StringSeed!).toString("ascii");
    const bytes = base32Decode(base32);
    const files = ["mfa-sts.db", "mfa-sts.db-wal"].map((f) => join(server.dataDir, f)).filter((f) => existsSync(f));
    expect(files.length).toBeGreaterThan(0);
    const stored = Buffer.concat(files.map((f) => readFileSync(f)));
    // The device itself is there (so these are the right files)...
    expect(stored.includes(Buffer.from(d!.SerialNumber!, "utf8"))).toBe(true);
    // ...but not its seed, in any of the forms it could take.
    const forms: Buffer[] = [
      Buffer.from(base32, "ascii"),
      Buffer.from(base32.toLowerCase(), "ascii"),
      bytes,
      Buffer.from(bytes.toString("hex"), "ascii"),
      Buffer.from(bytes.toString("hex").toUpperCase(), "ascii"),
      Buffer.from(bytes.toString("base64"), "ascii"),
      Buffer.from(bytes.toString("base64url"), "ascii"),
      Buffer.from(Buffer.from(base32, "ascii").toString("base64"), "ascii"), // Base32StringSeed as on the wire
    ];
    for (const form of forms) expect(stored.includes(form)).toBe(false);
    // Also not a recognisable chunk of it (a seed split across rows or pages would still leak).
    expect(stored.includes(Buffer.from(base32.slice(0, 24), "ascii"))).toBe(false);
    expect(stored.includes(bytes.subarray(0, 16))).toBe(false);
  });
});
