/**
 * Access keys: CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey,
 * GetAccessKeyLastUsed, and the issuing of a key that `mfa-sts init` shares.
 */
import { principalArn } from "../principal.js";
import { Errors } from "../errors.js";
import { newAccessKeyId, newSecretAccessKey } from "../ids.js";
import { IAM, type Operation } from "../protocol/operation.js";
import { XmlList } from "../protocol/xml.js";
import type { StoreDeps } from "../deps.js";
import type { AccessKey, AccessKeyStatus } from "../store/store.js";
import { decodeMarker, encodeMarker } from "./marker.js";
import * as shape from "./shapes.js";
import { authorizeIam, onUser, userArn } from "./resources.js";
import { authorizedOwner } from "./users.js";

/** AWS's quota: two access keys per user (and per root user). */
export const ACCESS_KEYS_PER_USER = 2;

export interface IssuedAccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  createdAt: Date;
}

/**
 * Creates an Active key for a user (null = root). The secret is sealed before it reaches the
 * store, bound to the key id. Throws NoSuchEntity or LimitExceeded as AWS does.
 */
export async function issueAccessKey(deps: StoreDeps, accountId: string, userName: string | null): Promise<IssuedAccessKey> {
  const accessKeyId = newAccessKeyId(deps.random);
  const secretAccessKey = newSecretAccessKey(deps.random);
  const createdAt = new Date(deps.clock.now());
  const key: AccessKey = {
    accessKeyId,
    accountId,
    userName,
    sealedSecret: deps.secrets.seal(secretAccessKey, accessKeyId),
    status: "Active",
    createdAt,
    lastUsed: null,
  };
  const result = await deps.store.createAccessKey(key, ACCESS_KEYS_PER_USER);
  if (result === "no-user") throw Errors.noSuchUser(userName ?? "");
  if (result === "quota") throw Errors.accessKeyQuota();
  return { accessKeyId, secretAccessKey, createdAt };
}

export const createAccessKey: Operation = {
  service: IAM,
  action: "CreateAccessKey",
  input: { UserName: shape.existingUserName },
  async run(ctx, input) {
    // The stored name is reported, as AWS does ("Alice" finds "alice").
    const owner = await authorizedOwner(ctx, input.UserName as string | undefined, "CreateAccessKey");
    const key = await issueAccessKey(ctx.deps, ctx.caller.principal.accountId, owner);
    return {
      AccessKey: {
        UserName: owner ?? undefined,
        AccessKeyId: key.accessKeyId,
        Status: "Active",
        SecretAccessKey: key.secretAccessKey,
        CreateDate: key.createdAt,
      },
    };
  },
};

export const listAccessKeys: Operation = {
  service: IAM,
  action: "ListAccessKeys",
  input: { UserName: shape.existingUserName, Marker: shape.marker, MaxItems: shape.maxItems },
  async run(ctx, input) {
    const owner = await authorizedOwner(ctx, input.UserName as string | undefined, "ListAccessKeys");
    const after = decodeMarker("keys", input.Marker as string | undefined);
    const limit = (input.MaxItems as number | undefined) ?? shape.DEFAULT_MAX_ITEMS;
    const all = await ctx.deps.store.listAccessKeys(ctx.caller.principal.accountId, owner);
    const start = after === undefined ? 0 : all.findIndex((k) => k.accessKeyId === after) + 1;
    const items = all.slice(start, start + limit);
    const truncated = start + limit < all.length;
    return {
      AccessKeyMetadata: new XmlList(
        items.map((k) => ({
          UserName: k.userName ?? undefined,
          AccessKeyId: k.accessKeyId,
          Status: k.status,
          CreateDate: k.createdAt,
        })),
      ),
      IsTruncated: truncated,
      Marker: truncated ? encodeMarker("keys", items[items.length - 1]!.accessKeyId) : undefined,
    };
  },
};

export const updateAccessKey: Operation = {
  service: IAM,
  action: "UpdateAccessKey",
  input: {
    UserName: shape.existingUserName,
    AccessKeyId: { ...shape.accessKeyId, required: true },
    Status: { ...shape.accessKeyStatus, required: true },
  },
  async run(ctx, input) {
    const owner = await authorizedOwner(ctx, input.UserName as string | undefined, "UpdateAccessKey");
    const id = input.AccessKeyId as string;
    const status = input.Status as AccessKeyStatus | "Expired";
    if (status === "Expired") throw Errors.cannotSetExpired();
    const ok = await ctx.deps.store.updateAccessKeyStatus(ctx.caller.principal.accountId, owner, id, status);
    if (!ok) throw Errors.noSuchAccessKey(id);
    return undefined;
  },
};

export const deleteAccessKey: Operation = {
  service: IAM,
  action: "DeleteAccessKey",
  input: { UserName: shape.existingUserName, AccessKeyId: { ...shape.accessKeyId, required: true } },
  async run(ctx, input) {
    const owner = await authorizedOwner(ctx, input.UserName as string | undefined, "DeleteAccessKey");
    const id = input.AccessKeyId as string;
    const ok = await ctx.deps.store.deleteAccessKey(ctx.caller.principal.accountId, owner, id);
    if (!ok) throw Errors.noSuchAccessKey(id);
    return undefined;
  },
};

export const getAccessKeyLastUsed: Operation = {
  service: IAM,
  action: "GetAccessKeyLastUsed",
  input: { AccessKeyId: { ...shape.accessKeyId, required: true } },
  async run(ctx, input) {
    const id = input.AccessKeyId as string;
    const key = await ctx.deps.store.getAccessKey(id);
    // Recorded against AWS: an unknown key (or another account's) is refused, not "not found",
    // and the refusal names the key itself as the resource.
    if (!key || key.accountId !== ctx.caller.principal.accountId) {
      throw Errors.accessKeyLastUsedDenied(principalArn(ctx.caller.principal), id);
    }
    // A known key is authorized on its owner (a root key: the account's root, never a user's policy's).
    if (key.userName === null) {
      if (ctx.caller.principal.type !== "root") throw Errors.accessKeyLastUsedDenied(principalArn(ctx.caller.principal), id);
    } else {
      const owner = await ctx.deps.store.getUser(key.accountId, key.userName);
      await authorizeIam(ctx, onUser("GetAccessKeyLastUsed", userArn(key.accountId, owner?.path ?? "/", key.userName), key.userName));
    }
    return {
      UserName: key.userName ?? undefined,
      AccessKeyLastUsed: key.lastUsed
        ? { LastUsedDate: key.lastUsed.date, ServiceName: key.lastUsed.service, Region: key.lastUsed.region }
        : { ServiceName: "N/A", Region: "N/A" },
    };
  },
};
