/**
 * `srv.createUser(…)`: an IAM user made through the IAM API as the root user, the way a person
 * would with the aws CLI — CreateUser, CreateAccessKey, CreateVirtualMFADevice, EnableMFADevice
 * with two consecutive codes — so the fixture meets every check the API makes. The device's seed
 * stays in the returned object; `code()` reads the device's last accepted step from the store (the
 * only thing the API does not tell) to give the code the server accepts next.
 */
import { base32Decode } from "../mfa/seed.js";
import { timeStep, totpCode } from "../mfa/totp.js";
import type { Store } from "../store/store.js";
import { IamApi, textAt } from "./iam-api.js";
import { nextCode } from "./next-code.js";

/** Long-term credentials in the shape the AWS SDK for JavaScript takes them. */
export interface AccessKeyCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface CreateUserOptions {
  /** Give the user an enabled virtual MFA device (default false). */
  mfa?: boolean;
  /** Give the user an access key (default true). */
  accessKey?: boolean;
}

/** An IAM user made by {@link MfaStsServer.createUser}. */
export interface MfaStsUser {
  userName: string;
  /** `AIDA…` */
  userId: string;
  /** `arn:aws:iam::ACCOUNT:user/NAME` */
  arn: string;
  /** Present unless the user was made with `accessKey: false`. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** The virtual MFA device's serial (`arn:aws:iam::ACCOUNT:mfa/NAME`), with `mfa: true`. */
  mfaSerial?: string;
  /**
   * The TOTP code the server accepts next from the user's device: for the server's current step
   * when that step is unspent, else for the step after the last accepted one — each code works
   * once, so a second code in the same 30 s is only accepted once the server's clock (move an
   * injected `clock` on by 30 000 ms) reaches its step. `at` (ms since the epoch or a Date) asks
   * for another instant than the server's clock's now. Rejects for a user made without `mfa`.
   */
  code(at?: number | Date): Promise<string>;
}

export interface TestUserDeps {
  iam: IamApi;
  store: Store;
  accountId: string;
  now: () => number;
}

export async function createTestUser(deps: TestUserDeps, userName: string, options: CreateUserOptions = {}): Promise<MfaStsUser> {
  const { iam } = deps;
  const created = await iam.call("CreateUser", { UserName: userName });
  const user: MfaStsUser = {
    userName: textAt(created, "User", "UserName"),
    userId: textAt(created, "User", "UserId"),
    arn: textAt(created, "User", "Arn"),
    code: () => Promise.reject(new Error(`${userName} has no MFA device: create the user with { mfa: true }`)),
  };
  if (options.accessKey !== false) {
    const key = await iam.call("CreateAccessKey", { UserName: userName });
    user.accessKeyId = textAt(key, "AccessKey", "AccessKeyId");
    user.secretAccessKey = textAt(key, "AccessKey", "SecretAccessKey");
  }
  if (options.mfa === true) {
    const device = await iam.call("CreateVirtualMFADevice", { VirtualMFADeviceName: userName });
    const serialNumber = textAt(device, "VirtualMFADevice", "SerialNumber");
    // A blob in XML is base64; this one holds the base32 text an authenticator app is given.
    const seed = base32Decode(Buffer.from(textAt(device, "VirtualMFADevice", "Base32StringSeed"), "base64").toString("ascii"));
    // Two consecutive codes ending at the server's current step, as read off an authenticator app.
    const step = timeStep(deps.now());
    await iam.call("EnableMFADevice", {
      UserName: userName,
      SerialNumber: serialNumber,
      AuthenticationCode1: totpCode(seed, step - 1),
      AuthenticationCode2: totpCode(seed, step),
    });
    user.mfaSerial = serialNumber;
    user.code = async (at) => {
      const stored = await deps.store.getMfaDevice(deps.accountId, serialNumber);
      if (!stored) throw new Error(`the MFA device ${serialNumber} no longer exists`);
      return nextCode(seed, stored, at === undefined ? deps.now() : typeof at === "number" ? at : at.getTime());
    };
  }
  return user;
}
