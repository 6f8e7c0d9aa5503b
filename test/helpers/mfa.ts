/**
 * MFA in tests: users with keys and enabled virtual devices, made through the IAM API as a real
 * client would, and TOTP codes computed from the seed the server handed out, at the server's
 * (injected) time.
 */
import { CreateAccessKeyCommand, CreateUserCommand, CreateVirtualMFADeviceCommand, EnableMFADeviceCommand, type IAMClient } from "@aws-sdk/client-iam";
import { base32Decode } from "../../src/mfa/seed.js";
import { timeStep, totpCode } from "../../src/mfa/totp.js";
import type { Credentials, TestServer } from "./server.js";

/**
 * Stops the server's clock 1 s into the current 30-second step (at most 29 s from real time,
 * well inside SigV4's 15 minutes), so a test's codes cannot straddle a step boundary.
 */
export function freezeAtStepStart(server: TestServer): void {
  server.clock.fixedMs = undefined;
  server.clock.fixedMs = Math.floor(server.clock.now() / 30_000) * 30_000 + 1_000;
}

/** Moves a frozen server clock on by whole steps. */
export function advanceSteps(server: TestServer, steps: number): void {
  if (server.clock.fixedMs === undefined) throw new Error("freeze the clock first");
  server.clock.fixedMs += steps * 30_000;
}

/** The server's current TOTP time step. */
export const serverStep = (server: TestServer): number => timeStep(server.clock.now());

/** The code a device with this seed shows at `step`. */
export const codeAt = (seed: Buffer, step: number): string => totpCode(seed, step);

export async function createUserWithKey(iam: IAMClient, userName: string): Promise<Credentials> {
  await iam.send(new CreateUserCommand({ UserName: userName }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

export interface VirtualDevice {
  serialNumber: string;
  seed: Buffer;
}

export async function createVirtualDevice(iam: IAMClient, name: string, path?: string): Promise<VirtualDevice> {
  const { VirtualMFADevice } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name, Path: path }));
  // The SDK hands the blob back decoded: the base32 text of the seed.
  const base32 = Buffer.from(VirtualMFADevice!.Base32StringSeed!).toString("ascii");
  return { serialNumber: VirtualMFADevice!.SerialNumber!, seed: base32Decode(base32) };
}

/**
 * Creates a virtual device and enables it for the user with the codes of the previous and the
 * current step, as a person reading an authenticator app would. The device's last accepted step
 * is then the current one: the next code it accepts is the following step's.
 */
export async function enabledVirtualDevice(server: TestServer, iam: IAMClient, userName: string, deviceName = userName): Promise<VirtualDevice> {
  const device = await createVirtualDevice(iam, deviceName);
  const step = serverStep(server);
  await iam.send(
    new EnableMFADeviceCommand({
      UserName: userName,
      SerialNumber: device.serialNumber,
      AuthenticationCode1: codeAt(device.seed, step - 1),
      AuthenticationCode2: codeAt(device.seed, step),
    }),
  );
  return device;
}
