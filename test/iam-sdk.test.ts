/**
 * The IAM subset through @aws-sdk/client-iam and GetCallerIdentity through
 * @aws-sdk/client-sts: results, and every IAM error's code, HTTP status and exact text.
 */
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  GetAccessKeyLastUsedCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListUsersCommand,
  UpdateAccessKeyCommand,
  UpdateUserCommand,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sdkClients, sdkError } from "./helpers/clients.js";
import { startTestServer, type Credentials, type TestServer } from "./helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

const root = () => sdkClients(server.url, server.root);

async function newUserWithKey(name: string, path?: string): Promise<Credentials> {
  await root().iam.send(new CreateUserCommand({ UserName: name, Path: path }));
  const { AccessKey } = await root().iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

describe("users", () => {
  it("creates, gets, lists, renames and deletes a user", async () => {
    const { iam } = root();
    const created = await iam.send(new CreateUserCommand({ UserName: "carol", Path: "/team/" }));
    expect(created.User).toMatchObject({ UserName: "carol", Path: "/team/", Arn: "arn:aws:iam::123456789012:user/team/carol" });
    expect(created.User!.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(created.User!.CreateDate).toBeInstanceOf(Date);

    const got = await iam.send(new GetUserCommand({ UserName: "CAROL" })); // names are case-insensitive
    expect(got.User).toEqual(created.User);

    const listed = await iam.send(new ListUsersCommand({ PathPrefix: "/team/" }));
    expect(listed.Users!.map((u) => u.UserName)).toEqual(["carol"]);
    expect(listed.IsTruncated).toBe(false);

    await iam.send(new UpdateUserCommand({ UserName: "carol", NewUserName: "caroline", NewPath: "/ops/" }));
    const renamed = await iam.send(new GetUserCommand({ UserName: "caroline" }));
    expect(renamed.User).toMatchObject({ UserId: created.User!.UserId, Arn: "arn:aws:iam::123456789012:user/ops/caroline" });
    expect(await sdkError(iam.send(new GetUserCommand({ UserName: "carol" })))).toEqual({
      status: 404,
      code: "NoSuchEntity",
      message: "The user with name carol cannot be found.",
    });

    await iam.send(new DeleteUserCommand({ UserName: "caroline" }));
    expect((await sdkError(iam.send(new GetUserCommand({ UserName: "caroline" })))).code).toBe("NoSuchEntity");
  });

  it("pages ListUsers with Marker and MaxItems", async () => {
    const { iam } = root();
    for (const n of ["p-a", "p-b", "p-c", "p-d", "p-e"]) await iam.send(new CreateUserCommand({ UserName: n, Path: "/paging/" }));
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await iam.send(new ListUsersCommand({ PathPrefix: "/paging/", MaxItems: 2, Marker: marker }));
      seen.push(...page.Users!.map((u) => u.UserName!));
      marker = page.IsTruncated ? page.Marker : undefined;
      pages++;
    } while (marker);
    expect(seen).toEqual(["p-a", "p-b", "p-c", "p-d", "p-e"]);
    expect(pages).toBe(3);
    expect(await sdkError(iam.send(new ListUsersCommand({ Marker: "bogus" })))).toEqual({
      status: 400,
      code: "ValidationError",
      message: "Invalid Marker.",
    });
  });

  it("answers AWS's texts for duplicates, missing users and conflicts", async () => {
    const { iam } = root();
    await iam.send(new CreateUserCommand({ UserName: "dup" }));
    expect(await sdkError(iam.send(new CreateUserCommand({ UserName: "DUP" })))).toEqual({
      status: 409,
      code: "EntityAlreadyExists",
      message: "User with name DUP already exists.",
    });
    for (const call of [
      new GetUserCommand({ UserName: "nonexistent-user" }),
      new UpdateUserCommand({ UserName: "nonexistent-user", NewPath: "/x/" }),
      new DeleteUserCommand({ UserName: "nonexistent-user" }),
      new CreateAccessKeyCommand({ UserName: "nonexistent-user" }),
    ]) {
      expect(await sdkError(iam.send(call as never))).toEqual({
        status: 404,
        code: "NoSuchEntity",
        message: "The user with name nonexistent-user cannot be found.",
      });
    }
    await iam.send(new CreateAccessKeyCommand({ UserName: "dup" }));
    expect(await sdkError(iam.send(new DeleteUserCommand({ UserName: "dup" })))).toEqual({
      status: 409,
      code: "DeleteConflict",
      message: "Cannot delete entity, must delete access keys first.",
    });
  });

  it("validates shapes with AWS's ValidationError texts", async () => {
    const { iam } = root();
    expect(await sdkError(iam.send(new CreateUserCommand({ UserName: "bad name!" })))).toEqual({
      status: 400,
      code: "ValidationError",
      message:
        "1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    });
    expect(await sdkError(iam.send(new CreateUserCommand({ UserName: "x".repeat(65), Path: "/p/" })))).toEqual({
      status: 400,
      code: "ValidationError",
      message: `1 validation error detected: Value '${"x".repeat(65)}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    });
    expect(await sdkError(iam.send(new CreateUserCommand({ UserName: "ok", Path: "nope" })))).toEqual({
      status: 400,
      code: "ValidationError",
      message:
        "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.",
    });
    expect(await sdkError(iam.send(new CreateUserCommand({ UserName: "ok", Path: `/${"p".repeat(511)}/` })))).toEqual({
      status: 400,
      code: "ValidationError",
      message: "1 validation error detected: Value at 'path' failed to satisfy constraint: Member must have length less than or equal to 512",
    });
    // Two violations: joined by "; " in model order.
    expect(
      (await sdkError(iam.send(new ListUsersCommand({ PathPrefix: "x".repeat(513), MaxItems: 1001 })))).message,
    ).toBe(
      `3 validation errors detected: Value '${"x".repeat(513)}' at 'pathPrefix' failed to satisfy constraint: Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*; ` +
        `Value '${"x".repeat(513)}' at 'pathPrefix' failed to satisfy constraint: Member must have length less than or equal to 512; ` +
        "Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000",
    );
  });
});

describe("access keys", () => {
  it("creates, lists, deactivates, reactivates and deletes keys; at most two per user", async () => {
    const { iam } = root();
    await iam.send(new CreateUserCommand({ UserName: "keys" }));
    const first = await iam.send(new CreateAccessKeyCommand({ UserName: "keys" }));
    expect(first.AccessKey).toMatchObject({ UserName: "keys", Status: "Active" });
    expect(first.AccessKey!.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(first.AccessKey!.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    await iam.send(new CreateAccessKeyCommand({ UserName: "keys" }));
    expect(await sdkError(iam.send(new CreateAccessKeyCommand({ UserName: "keys" })))).toEqual({
      status: 409,
      code: "LimitExceeded",
      message: "Cannot exceed quota for AccessKeysPerUser: 2",
    });

    const id = first.AccessKey!.AccessKeyId!;
    await iam.send(new UpdateAccessKeyCommand({ UserName: "keys", AccessKeyId: id, Status: "Inactive" }));
    const listed = await iam.send(new ListAccessKeysCommand({ UserName: "keys" }));
    expect(listed.AccessKeyMetadata!.find((k) => k.AccessKeyId === id)).toMatchObject({ Status: "Inactive", UserName: "keys" });
    expect(listed.AccessKeyMetadata).toHaveLength(2);

    // An inactive key no longer authenticates (with the period: an access key, not a token).
    const inactive = sdkClients(server.url, { accessKeyId: id, secretAccessKey: first.AccessKey!.SecretAccessKey! });
    expect(await sdkError(inactive.sts.send(new GetCallerIdentityCommand({})))).toEqual({
      status: 403,
      code: "InvalidClientTokenId",
      message: "The security token included in the request is invalid.",
    });
    await iam.send(new UpdateAccessKeyCommand({ UserName: "keys", AccessKeyId: id, Status: "Active" }));
    expect((await inactive.sts.send(new GetCallerIdentityCommand({}))).Arn).toBe("arn:aws:iam::123456789012:user/keys");

    await iam.send(new DeleteAccessKeyCommand({ UserName: "keys", AccessKeyId: id }));
    expect(await sdkError(iam.send(new DeleteAccessKeyCommand({ UserName: "keys", AccessKeyId: id })))).toEqual({
      status: 404,
      code: "NoSuchEntity",
      message: `The Access Key with id ${id} cannot be found.`,
    });
    expect(await sdkError(iam.send(new UpdateAccessKeyCommand({ UserName: "keys", AccessKeyId: "AKIAIOSFODNN7EXAMPLE", Status: "Active" })))).toEqual({
      status: 404,
      code: "NoSuchEntity",
      message: "The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.",
    });
  });

  it("reports last use as AWS does: N/A before, then the date, region and service", async () => {
    const creds = await newUserWithKey("lastused");
    const { iam } = root();
    const before = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: creds.accessKeyId }));
    expect(before.UserName).toBe("lastused");
    expect(before.AccessKeyLastUsed).toEqual({ Region: "N/A", ServiceName: "N/A" });
    await sdkClients(server.url, creds).sts.send(new GetCallerIdentityCommand({}));
    const after = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: creds.accessKeyId }));
    expect(after.AccessKeyLastUsed).toMatchObject({ Region: "us-east-1", ServiceName: "sts" });
    expect(after.AccessKeyLastUsed!.LastUsedDate).toBeInstanceOf(Date);
    expect(await sdkError(iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: "AKIAIOSFODNN7EXAMPLE" })))).toEqual({
      status: 403,
      code: "AccessDenied",
      message:
        "User: arn:aws:iam::123456789012:root is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key AKIAIOSFODNN7EXAMPLE",
    });
  });

  it("lets root manage its own keys when UserName is omitted", async () => {
    const { iam } = root();
    const keys = await iam.send(new ListAccessKeysCommand({}));
    expect(keys.AccessKeyMetadata!.map((k) => k.AccessKeyId)).toEqual([server.root.accessKeyId]);
    const me = await iam.send(new GetUserCommand({}));
    expect(me.User).toMatchObject({ UserId: "123456789012", Arn: "arn:aws:iam::123456789012:root" });
  });
});

describe("identities", () => {
  it("GetCallerIdentity: root and IAM users (with path)", async () => {
    expect(await root().sts.send(new GetCallerIdentityCommand({}))).toMatchObject({
      UserId: "123456789012",
      Account: "123456789012",
      Arn: "arn:aws:iam::123456789012:root",
    });
    const creds = await newUserWithKey("dave", "/eng/");
    const user = await root().iam.send(new GetUserCommand({ UserName: "dave" }));
    expect(await sdkClients(server.url, creds).sts.send(new GetCallerIdentityCommand({}))).toMatchObject({
      UserId: user.User!.UserId,
      Account: "123456789012",
      Arn: "arn:aws:iam::123456789012:user/eng/dave",
    });
  });

  it("refuses every IAM action to users without policies, naming the action and resource", async () => {
    const creds = await newUserWithKey("erin", "/eng/");
    const { iam } = sdkClients(server.url, creds);
    const me = "arn:aws:iam::123456789012:user/eng/erin";
    const cases: [unknown, string, string][] = [
      [new ListUsersCommand({}), "iam:ListUsers", "arn:aws:iam::123456789012:user/"],
      [new CreateUserCommand({ UserName: "mallory", Path: "/x/" }), "iam:CreateUser", "arn:aws:iam::123456789012:user/x/mallory"],
      [new GetUserCommand({}), "iam:GetUser", "user erin"],
      [new CreateAccessKeyCommand({}), "iam:CreateAccessKey", "user erin"],
      [new ListAccessKeysCommand({}), "iam:ListAccessKeys", "user erin"],
      [new DeleteUserCommand({ UserName: "erin" }), "iam:DeleteUser", "user erin"],
      [new UpdateUserCommand({ UserName: "nobody" }), "iam:UpdateUser", "user nobody"],
      [new DeleteAccessKeyCommand({ AccessKeyId: creds.accessKeyId }), "iam:DeleteAccessKey", "user erin"],
      [new UpdateAccessKeyCommand({ AccessKeyId: creds.accessKeyId, Status: "Inactive" }), "iam:UpdateAccessKey", "user erin"],
      [new GetAccessKeyLastUsedCommand({ AccessKeyId: creds.accessKeyId }), "iam:GetAccessKeyLastUsed", "user erin"],
    ];
    for (const [command, action, resource] of cases) {
      expect(await sdkError(iam.send(command as never))).toEqual({
        status: 403,
        code: "AccessDenied",
        message: `User: ${me} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
      });
    }
  });
});
