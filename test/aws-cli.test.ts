/**
 * The acceptance flow with the aws CLI, v1 and v2, unchanged but for --endpoint-url:
 * root creates alice and her key; alice's key calls sts get-caller-identity. Plus the CLI's
 * view of an error (stderr text and exit code) and boto3 doing the same flow.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AWS_CLIS, awsCli, boto3 } from "./helpers/clients.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

describe.each(AWS_CLIS)("$name", ({ name, command }) => {
  const user = name.endsWith("v1") ? "alice1" : "alice2";

  it("create-user, create-access-key, then get-caller-identity with the new key", async () => {
    const created = await awsCli(command, server.url, server.root, ["iam", "create-user", "--user-name", user]);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    const createdUser = JSON.parse(created.stdout).User;
    expect(createdUser).toMatchObject({ Path: "/", UserName: user, Arn: `arn:aws:iam::123456789012:user/${user}` });

    const key = await awsCli(command, server.url, server.root, ["iam", "create-access-key", "--user-name", user]);
    expect(key.code).toBe(0);
    const accessKey = JSON.parse(key.stdout).AccessKey;
    expect(accessKey).toMatchObject({ UserName: user, Status: "Active" });

    const me = await awsCli(command, server.url, { accessKeyId: accessKey.AccessKeyId, secretAccessKey: accessKey.SecretAccessKey }, [
      "sts",
      "get-caller-identity",
    ]);
    expect(me.code).toBe(0);
    expect(JSON.parse(me.stdout)).toEqual({
      UserId: createdUser.UserId,
      Account: "123456789012",
      Arn: `arn:aws:iam::123456789012:user/${user}`,
    });

    const listed = await awsCli(command, server.url, server.root, ["iam", "list-users"]);
    expect(JSON.parse(listed.stdout).Users.map((u: { UserName: string }) => u.UserName)).toContain(user);
  });

  it("prints AWS's error line and exits like the CLI does for a service error", async () => {
    const res = await awsCli(command, server.url, { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x".repeat(40) }, [
      "sts",
      "get-caller-identity",
    ]);
    expect(res.stdout).toBe("");
    expect(res.stderr).toBe(
      "\nAn error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: The security token included in the request is invalid.\n",
    );
    expect(res.code).toBe(name.endsWith("v1") ? 255 : 254);
  });

  it("a ValidationError reaches the user verbatim", async () => {
    const res = await awsCli(command, server.url, server.root, ["iam", "create-user", "--user-name", "has space"]);
    expect(res.stderr).toBe(
      "\nAn error occurred (ValidationError) when calling the CreateUser operation: 1 validation error detected: Value 'has space' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+\n",
    );
  });
});

describe("boto3", () => {
  it("does the same flow", async () => {
    const res = await boto3(
      server.url,
      server.root,
      [
        "iam.create_user(UserName='bob', Path='/b/')",
        "k = iam.create_access_key(UserName='bob')['AccessKey']",
        "bob = boto3.session.Session(aws_access_key_id=k['AccessKeyId'], aws_secret_access_key=k['SecretAccessKey'], region_name='us-east-1').client('sts', endpoint_url=sts.meta.endpoint_url)",
        "me = bob.get_caller_identity(); me.pop('ResponseMetadata')",
        "print(json.dumps([me, iam.get_user(UserName='bob')['User']['UserId'], err(lambda: iam.create_user(UserName='bob'))]))",
      ].join("\n"),
    );
    expect(res.stderr).toBe("");
    const [me, userId, duplicate] = JSON.parse(res.stdout);
    expect(me).toEqual({ UserId: userId, Account: "123456789012", Arn: "arn:aws:iam::123456789012:user/b/bob" });
    expect(duplicate).toEqual([409, "EntityAlreadyExists", "User with name bob already exists."]);
  });
});
