/**
 * IAM MFA devices (spec §7.3): CreateVirtualMFADevice, EnableMFADevice, ResyncMFADevice,
 * DeactivateMFADevice, DeleteVirtualMFADevice, ListMFADevices, ListVirtualMFADevices,
 * GetMFADevice; and the registering of a hardware TOTP token that `mfa-sts mfa import` shares.
 * Seeds are sealed by the master key before they reach the store.
 */
import { rootArn } from "../principal.js";
import { Errors } from "../errors.js";
import { limitedMfaCheck, type CodeVerdict } from "../lockout/mfa-attempts.js";
import { checkCodePair, isEnabledFor, openSeed, seedContext } from "../mfa/device.js";
import { isSpentCodePair } from "../mfa/spent-codes.js";
import { otpauthUri, qrCodePng } from "../mfa/qr.js";
import { newSeed } from "../mfa/seed.js";
import { ENABLE_SEARCH_STEPS, RESYNC_SEARCH_STEPS } from "../mfa/totp.js";
import { IAM, type Operation, type OperationContext } from "../protocol/operation.js";
import type { Input } from "../protocol/shapes.js";
import { XmlList, type XmlObject } from "../protocol/xml.js";
import type { StoreDeps } from "../deps.js";
import type { MfaDevice, MfaSync } from "../store/store.js";
import { decodeMarker, encodeMarker } from "./marker.js";
import * as shape from "./shapes.js";
import { tagContext, tagsOf, tagsXml } from "./tags.js";
import { authorizeIam, onArn, onListing } from "./resources.js";
import { authorizedOwner, authorizeOnTarget, targetUser, userXml } from "./users.js";

/** "You can enable up to eight MFA devices per AWS account root user or IAM user" (spec §7.2). */
export const MFA_DEVICES_PER_USER = 8;

const virtualMfaSerial = (accountId: string, path: string, name: string): string =>
  `arn:aws:iam::${accountId}:mfa${path}${name}`;

/** The resource ARN IAM authorizes MFA-device actions on (virtual devices' own ARN). */
const deviceResource = (accountId: string, serialNumber: string): string =>
  serialNumber.startsWith("arn:") ? serialNumber : virtualMfaSerial(accountId, "/", serialNumber);


const accountOf = (ctx: OperationContext): string => ctx.caller.principal.accountId;

/** The device, or AWS's NoSuchEntity for its serial. */
async function existingDevice(ctx: OperationContext, serialNumber: string): Promise<MfaDevice> {
  const device = await ctx.deps.store.getMfaDevice(accountOf(ctx), serialNumber);
  if (!device) throw Errors.noSuchMfaDevice(serialNumber);
  return device;
}

export const createVirtualMfaDevice: Operation = {
  service: IAM,
  action: "CreateVirtualMFADevice",
  input: { Path: shape.path, VirtualMFADeviceName: { ...shape.virtualMfaDeviceName, required: true }, Tags: shape.tags },
  async run(ctx, input) {
    const accountId = accountOf(ctx);
    const path = (input.Path as string | undefined) ?? "/";
    const name = input.VirtualMFADeviceName as string;
    const serialNumber = virtualMfaSerial(accountId, path, name);
    const tags = tagsOf(input);
    await authorizeIam(ctx, onArn("CreateVirtualMFADevice", serialNumber), tagContext(tags));
    const seed = newSeed(ctx.deps.random);
    const device: MfaDevice = {
      serialNumber,
      accountId,
      kind: "virtual",
      name,
      path,
      sealedSeed: ctx.deps.secrets.seal(seed.bytes.toString("base64"), seedContext(serialNumber)),
      tags,
      createdAt: new Date(ctx.deps.clock.now()),
      assignment: null,
      lastStep: null,
      driftSteps: 0,
    };
    if ((await ctx.deps.store.createMfaDevice(device)) === "exists") throw Errors.mfaDeviceExists();
    // The QR code's label: the device name and, the device having no user yet, the account id
    // (IAM model, VirtualMFADevice.QRCodePNG). Blobs travel base64-encoded in XML.
    const png = await qrCodePng(otpauthUri(name, accountId, seed.base32));
    return {
      VirtualMFADevice: {
        SerialNumber: serialNumber,
        Base32StringSeed: Buffer.from(seed.base32, "ascii").toString("base64"),
        QRCodePNG: png.toString("base64"),
        Tags: tagsXml(tags),
      },
    };
  },
};

/** EnableMFADevice and ResyncMFADevice take the same four members. */
const codePairInput = {
  UserName: { ...shape.existingUserName, required: true },
  SerialNumber: { ...shape.serialNumber, required: true },
  AuthenticationCode1: { ...shape.authenticationCode, required: true },
  AuthenticationCode2: { ...shape.authenticationCode, required: true },
} as const;

/** What two consecutive codes prove about the device; undefined when they do not match. */
function provenSync(ctx: OperationContext, device: MfaDevice, input: Input, searchSteps: number, now: number): MfaSync | undefined {
  return checkCodePair(
    openSeed(ctx.deps.secrets, device),
    input.AuthenticationCode1 as string,
    input.AuthenticationCode2 as string,
    now,
    searchSteps,
    device.lastStep,
  );
}

/** Why a pair was refused: codes the device showed but already used, or a wrong guess. */
function codePairVerdict(ctx: OperationContext, device: MfaDevice, input: Input, searchSteps: number, now: number): CodeVerdict {
  const spent = isSpentCodePair(ctx.deps.secrets, device, input.AuthenticationCode1 as string, input.AuthenticationCode2 as string, now, searchSteps);
  return spent ? "spent" : "wrong";
}

export const enableMfaDevice: Operation = {
  service: IAM,
  action: "EnableMFADevice",
  input: codePairInput,
  async run(ctx, input) {
    const owner = await authorizedOwner(ctx, input.UserName as string, "EnableMFADevice");
    const serialNumber = input.SerialNumber as string;
    const device = await existingDevice(ctx, serialNumber);
    if (device.assignment) throw Errors.mfaDeviceInUse();
    const now = ctx.deps.clock.now();
    // Wrong codes count toward the device's attempt limit; codes already used ("stale": a racing
    // call took them) are refused without counting; a refusal for another reason is neither a
    // success nor a failure of the codes.
    const accepted = await limitedMfaCheck(ctx, { serialNumber, owner }, now, async () => {
      const sync = provenSync(ctx, device, input, ENABLE_SEARCH_STEPS, now);
      if (!sync) return codePairVerdict(ctx, device, input, ENABLE_SEARCH_STEPS, now);
      const result = await ctx.deps.store.enableMfaDevice(accountOf(ctx), serialNumber, owner, sync, new Date(now), MFA_DEVICES_PER_USER);
      if (result === "no-user") throw Errors.noSuchUser(input.UserName as string);
      if (result === "no-device") throw Errors.noSuchMfaDevice(serialNumber);
      if (result === "in-use") throw Errors.mfaDeviceInUse();
      if (result === "limit") throw Errors.mfaDeviceQuota();
      return result === "stale" ? "spent" : "accepted";
    });
    if (!accepted) throw Errors.invalidAuthenticationCode();
    return undefined;
  },
};

export const resyncMfaDevice: Operation = {
  service: IAM,
  action: "ResyncMFADevice",
  input: codePairInput,
  async run(ctx, input) {
    const owner = await authorizedOwner(ctx, input.UserName as string, "ResyncMFADevice");
    const serialNumber = input.SerialNumber as string;
    const device = await existingDevice(ctx, serialNumber);
    if (!isEnabledFor(device, owner)) throw Errors.noSuchMfaDevice(serialNumber);
    const now = ctx.deps.clock.now();
    const accepted = await limitedMfaCheck(ctx, { serialNumber, owner }, now, async () => {
      const sync = provenSync(ctx, device, input, RESYNC_SEARCH_STEPS, now);
      if (!sync) return codePairVerdict(ctx, device, input, RESYNC_SEARCH_STEPS, now);
      // Refused by the store: taken by a racing call, or the device unassigned meanwhile; no guess either way.
      return (await ctx.deps.store.resyncMfaDevice(accountOf(ctx), serialNumber, owner, sync)) ? "accepted" : "spent";
    });
    if (!accepted) throw Errors.invalidAuthenticationCode();
    return undefined;
  },
};

export const deactivateMfaDevice: Operation = {
  service: IAM,
  action: "DeactivateMFADevice",
  input: { UserName: shape.existingUserName, SerialNumber: { ...shape.serialNumber, required: true } },
  async run(ctx, input) {
    const owner = await authorizedOwner(ctx, input.UserName as string | undefined, "DeactivateMFADevice");
    const serialNumber = input.SerialNumber as string;
    if (!(await ctx.deps.store.deactivateMfaDevice(accountOf(ctx), serialNumber, owner))) {
      throw Errors.noSuchMfaDevice(serialNumber);
    }
    return undefined;
  },
};

export const deleteVirtualMfaDevice: Operation = {
  service: IAM,
  action: "DeleteVirtualMFADevice",
  input: { SerialNumber: { ...shape.serialNumber, required: true } },
  async run(ctx, input) {
    const serialNumber = input.SerialNumber as string;
    await authorizeIam(ctx, onArn("DeleteVirtualMFADevice", deviceResource(accountOf(ctx), serialNumber)));
    const result = await ctx.deps.store.deleteVirtualMfaDevice(accountOf(ctx), serialNumber);
    if (result === "not-found") throw Errors.noSuchMfaDevice(serialNumber);
    if (result === "assigned") throw Errors.mfaDeviceStillAssigned();
    return undefined;
  },
};

export const listMfaDevices: Operation = {
  service: IAM,
  action: "ListMFADevices",
  input: { UserName: shape.existingUserName, Marker: shape.marker, MaxItems: shape.maxItems },
  async run(ctx, input) {
    const owner = await authorizedOwner(ctx, input.UserName as string | undefined, "ListMFADevices");
    const after = decodeMarker("mfa", input.Marker as string | undefined);
    const limit = (input.MaxItems as number | undefined) ?? shape.DEFAULT_MAX_ITEMS;
    const all = await ctx.deps.store.listMfaDevices(accountOf(ctx), owner);
    // Sorted by serial: the page starts after every serial up to the marker's.
    const start = after === undefined ? 0 : all.filter((d) => d.serialNumber <= after).length;
    const items = all.slice(start, start + limit);
    const truncated = start + limit < all.length;
    return {
      MFADevices: new XmlList(
        items.map((d) => ({
          UserName: d.assignment?.user?.userName,
          SerialNumber: d.serialNumber,
          EnableDate: d.assignment?.enabledAt,
        })),
      ),
      IsTruncated: truncated,
      Marker: truncated ? encodeMarker("mfa", items[items.length - 1]!.serialNumber) : undefined,
    };
  },
};

export const listVirtualMfaDevices: Operation = {
  service: IAM,
  action: "ListVirtualMFADevices",
  input: { AssignmentStatus: shape.assignmentStatus, Marker: shape.marker, MaxItems: shape.maxItems },
  async run(ctx, input) {
    const accountId = accountOf(ctx);
    await authorizeIam(ctx, onListing("ListVirtualMFADevices", accountId, "mfa"));
    // The model documents Any as the default (spec §7.3).
    const status = (input.AssignmentStatus as string | undefined) ?? "Any";
    const page = await ctx.deps.store.listVirtualMfaDevices(accountId, {
      assigned: status === "Any" ? undefined : status === "Assigned",
      after: decodeMarker("virtual-mfa", input.Marker as string | undefined),
      limit: (input.MaxItems as number | undefined) ?? shape.DEFAULT_MAX_ITEMS,
    });
    const account = (await ctx.deps.store.listAccounts()).find((a) => a.id === accountId);
    const assignedUser = (d: MfaDevice): XmlObject | undefined => {
      if (!d.assignment) return undefined;
      const user = d.assignment.user;
      return user ? userXml(user) : { UserId: accountId, Arn: rootArn(accountId), CreateDate: account?.createdAt };
    };
    return {
      VirtualMFADevices: new XmlList(
        page.items.map((d) => ({
          SerialNumber: d.serialNumber,
          User: assignedUser(d),
          EnableDate: d.assignment?.enabledAt,
          Tags: tagsXml(d.tags),
        })),
      ),
      IsTruncated: page.next !== undefined,
      Marker: page.next === undefined ? undefined : encodeMarker("virtual-mfa", page.next),
    };
  },
};

export const getMfaDevice: Operation = {
  service: IAM,
  action: "GetMFADevice",
  input: { SerialNumber: { ...shape.serialNumber, required: true }, UserName: shape.existingUserName },
  async run(ctx, input) {
    const serialNumber = input.SerialNumber as string;
    const target = await targetUser(ctx, input.UserName as string | undefined);
    await authorizeOnTarget(ctx, "GetMFADevice", target);
    if (target.name !== null && !target.user) throw Errors.noSuchUser(target.name);
    const device = await ctx.deps.store.getMfaDevice(accountOf(ctx), serialNumber);
    if (!device || !isEnabledFor(device, target.user?.userName ?? null)) throw Errors.noSuchMfaDevice(serialNumber);
    return {
      UserName: device.assignment?.user?.userName,
      SerialNumber: device.serialNumber,
      EnableDate: device.assignment?.enabledAt,
    };
  },
};

/** What `mfa-sts mfa import` registers: a hardware TOTP token, enabled for its owner at once. */
export interface HardwareToken {
  accountId: string;
  /** null: the account's root user */
  userName: string | null;
  serialNumber: string;
  seed: Buffer;
}

export type RegisterResult = "registered" | "exists" | "no-user" | "limit";

export async function registerHardwareToken(deps: StoreDeps, token: HardwareToken): Promise<RegisterResult> {
  const now = new Date(deps.clock.now());
  const user = token.userName === null ? null : await deps.store.getUser(token.accountId, token.userName);
  if (user === undefined) return "no-user";
  const owned = await deps.store.listMfaDevices(token.accountId, user?.userName ?? null);
  if (owned.length >= MFA_DEVICES_PER_USER) return "limit";
  const created = await deps.store.createMfaDevice({
    serialNumber: token.serialNumber,
    accountId: token.accountId,
    kind: "hardware",
    name: token.serialNumber,
    path: "/",
    sealedSeed: deps.secrets.seal(token.seed.toString("base64"), seedContext(token.serialNumber)),
    tags: [],
    createdAt: now,
    assignment: { user, enabledAt: now },
    lastStep: null,
    driftSteps: 0,
  });
  return created === "created" ? "registered" : "exists";
}
