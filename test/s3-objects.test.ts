/**
 * S3 objects through real clients (issue 13): aws CLI v1 and v2 `s3 cp` up and down, `s3 ls`
 * of a bucket with prefixes, `s3 sync` (the second run uploads nothing), `s3 rm --recursive`,
 * `s3api` ranged GETs, multipart (`s3 cp` of 20 MiB, and by hand with its errors), metadata,
 * checksums; boto3's transfer manager, multipart included; objects under IAM policies.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttachUserPolicyCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { GetSessionTokenCommand } from "@aws-sdk/client-sts";
import { AWS_CLIS, awsCli, boto3, sdkClients } from "./helpers/clients.js";
import { createUserWithKey } from "./helpers/mfa.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), "mfa-sts-s3-objects-"));
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const md5 = (data: Buffer) => createHash("md5").update(data).digest("hex");

// A dozen aws CLI processes per test: ~12 s alone, but each takes seconds on a loaded 2-core
// machine (npm test runs two files at a time), past the 60 s default: see the timeout below.
describe.each(AWS_CLIS)("objects with $name", ({ command }) => {
  const v2 = command === "/usr/bin/aws";
  const bucket = v2 ? "objects-v2" : "objects-v1";
  const cli = (args: string[]) => awsCli(command, server.url, server.root, args);
  const exit = v2 ? 254 : 255;

  it("cp up and down, ls with prefixes, head-object, rm", async () => {
    expect(await cli(["s3", "mb", `s3://${bucket}`])).toMatchObject({ code: 0 });
    const data = randomBytes(300_000);
    const file = join(dir, `${bucket}-up.bin`);
    writeFileSync(file, data);
    expect(await cli(["s3", "cp", file, `s3://${bucket}/dir/a b+c.bin`])).toMatchObject({ code: 0 });
    expect(await cli(["s3", "cp", file, `s3://${bucket}/top.bin`])).toMatchObject({ code: 0 });

    const top = await cli(["s3", "ls", `s3://${bucket}`]);
    expect(top.code, top.stderr).toBe(0);
    expect(top.stdout).toMatch(/^ +PRE dir\/\n\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} +300000 top\.bin\n$/);
    const inside = await cli(["s3", "ls", `s3://${bucket}/dir/`]);
    expect(inside.stdout).toMatch(/ 300000 a b\+c\.bin\n$/);

    const headRun = await cli(["s3api", "head-object", "--bucket", bucket, "--key", "dir/a b+c.bin"]);
    expect(headRun, headRun.stderr).toMatchObject({ code: 0 });
    const head = JSON.parse(headRun.stdout);
    expect(head).toMatchObject({ ContentLength: 300000, ETag: `"${md5(data)}"`, AcceptRanges: "bytes" });

    const down = join(dir, `${bucket}-down.bin`);
    expect(await cli(["s3", "cp", `s3://${bucket}/dir/a b+c.bin`, down])).toMatchObject({ code: 0 });
    expect(md5(readFileSync(down))).toBe(md5(data));

    const ranged = join(dir, `${bucket}-range.bin`);
    const part = JSON.parse((await cli(["s3api", "get-object", "--bucket", bucket, "--key", "top.bin", "--range", "bytes=10-19", ranged])).stdout);
    expect(part).toMatchObject({ ContentLength: 10, ContentRange: "bytes 10-19/300000" });
    expect(readFileSync(ranged)).toEqual(data.subarray(10, 20));
    // A last position before the first is no byte range at all: the header is ignored, 200 and
    // the whole object (RFC 9110 §14.1.1, §14.2).
    const reversed = JSON.parse((await cli(["s3api", "get-object", "--bucket", bucket, "--key", "top.bin", "--range", "bytes=5-1", ranged])).stdout);
    expect(reversed).toMatchObject({ ContentLength: 300000 });
    expect(reversed.ContentRange).toBeUndefined();
    expect(readFileSync(ranged)).toEqual(data);

    expect(await cli(["s3api", "get-object", "--bucket", bucket, "--key", "top.bin", "--range", "bytes=400000-", ranged])).toMatchObject({
      code: exit,
      stderr: "\nAn error occurred (InvalidRange) when calling the GetObject operation: The requested range is not satisfiable\n",
    });
    expect(await cli(["s3api", "get-object", "--bucket", bucket, "--key", "nothing-here", ranged])).toMatchObject({
      code: exit,
      stderr: "\nAn error occurred (NoSuchKey) when calling the GetObject operation: The specified key does not exist.\n",
    });

    expect(await cli(["s3", "rm", "--recursive", `s3://${bucket}`])).toMatchObject({ code: 0 });
    expect((await cli(["s3", "ls", `s3://${bucket}`])).stdout).toBe("");
    expect(await cli(["s3", "rb", `s3://${bucket}`])).toMatchObject({ code: 0 });
  });

  it("sync twice: the second run uploads nothing", async () => {
    const b = `${bucket}-sync`;
    await cli(["s3", "mb", `s3://${b}`]);
    const local = join(dir, b);
    mkdirSync(join(local, "sub"), { recursive: true });
    writeFileSync(join(local, "one.txt"), "one\n");
    writeFileSync(join(local, "sub", "two.txt"), "two\n");
    // Older than any upload: sync re-uploads a file whose mtime is later than the object's
    // LastModified, and both have a second's precision.
    const past = new Date(Date.now() - 3_600_000);
    for (const f of [join(local, "one.txt"), join(local, "sub", "two.txt")]) utimesSync(f, past, past);
    const first = await cli(["s3", "sync", local, `s3://${b}`]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.match(/upload:/g)?.length).toBe(2);
    const second = await cli(["s3", "sync", local, `s3://${b}`]);
    expect(second).toMatchObject({ code: 0, stdout: "" });
    expect(await cli(["s3", "rb", "--force", `s3://${b}`])).toMatchObject({ code: 0 });
  });

  it("a bucket with objects cannot be removed", async () => {
    const b = `${bucket}-full`;
    await cli(["s3", "mb", `s3://${b}`]);
    writeFileSync(join(dir, "small.txt"), "x");
    await cli(["s3", "cp", join(dir, "small.txt"), `s3://${b}/k`]);
    expect(await cli(["s3api", "delete-bucket", "--bucket", b])).toMatchObject({
      code: exit,
      stderr: "\nAn error occurred (BucketNotEmpty) when calling the DeleteBucket operation: The bucket you tried to delete is not empty\n",
    });
    expect(await cli(["s3", "rb", "--force", `s3://${b}`])).toMatchObject({ code: 0 });
  });

  it("cp of 20 MiB up and down: multipart, then ranged GETs", async () => {
    const b = `${bucket}-big`;
    await cli(["s3", "mb", `s3://${b}`]);
    const data = randomBytes(20 * 1024 * 1024);
    const up = join(dir, `${b}.bin`);
    writeFileSync(up, data);
    const put = await cli(["s3", "cp", up, `s3://${b}/big.bin`]);
    expect(put.code, put.stderr).toBe(0);
    const head = JSON.parse((await cli(["s3api", "head-object", "--bucket", b, "--key", "big.bin"])).stdout);
    // 8 MiB parts (the CLI's default chunk size): three of them.
    expect(head).toMatchObject({ ContentLength: data.length, ETag: expect.stringMatching(/^"[0-9a-f]{32}-3"$/) });
    const down = join(dir, `${b}-down.bin`);
    const get = await cli(["s3", "cp", `s3://${b}/big.bin`, down]);
    expect(get.code, get.stderr).toBe(0);
    expect(md5(readFileSync(down))).toBe(md5(data));
    // Nothing left in progress (aws CLI v2 prints nothing for an empty answer).
    expect(JSON.parse((await cli(["s3api", "list-multipart-uploads", "--bucket", b])).stdout || "{}").Uploads).toBeUndefined();
    expect(await cli(["s3", "rb", "--force", `s3://${b}`])).toMatchObject({ code: 0 });
  });

  it("multipart by hand: list, wrong order, too small, unknown part, abort", async () => {
    const b = `${bucket}-mpu`;
    await cli(["s3", "mb", `s3://${b}`]);
    const created = JSON.parse((await cli(["s3api", "create-multipart-upload", "--bucket", b, "--key", "k"])).stdout);
    const uploadId = created.UploadId as string;
    expect(created).toMatchObject({ Bucket: b, Key: "k" });
    writeFileSync(join(dir, "p1"), "first part");
    writeFileSync(join(dir, "p2"), "second part");
    const up1 = await cli(["s3api", "upload-part", "--bucket", b, "--key", "k", "--upload-id", uploadId, "--part-number", "1", "--body", join(dir, "p1")]);
    expect(up1, up1.stderr).toMatchObject({ code: 0 });
    const p1 = JSON.parse(up1.stdout);
    const p2 = JSON.parse((await cli(["s3api", "upload-part", "--bucket", b, "--key", "k", "--upload-id", uploadId, "--part-number", "2", "--body", join(dir, "p2")])).stdout);
    const listed = JSON.parse((await cli(["s3api", "list-parts", "--bucket", b, "--key", "k", "--upload-id", uploadId])).stdout);
    expect(listed.Parts.map((p: { PartNumber: number; Size: number }) => [p.PartNumber, p.Size])).toEqual([[1, 10], [2, 11]]);
    const uploads = JSON.parse((await cli(["s3api", "list-multipart-uploads", "--bucket", b])).stdout);
    expect(uploads.Uploads.map((u: { Key: string; UploadId: string }) => [u.Key, u.UploadId])).toEqual([["k", uploadId]]);

    const complete = (parts: object[]) =>
      cli(["s3api", "complete-multipart-upload", "--bucket", b, "--key", "k", "--upload-id", uploadId, "--multipart-upload", JSON.stringify({ Parts: parts })]);
    const line = (code: string, message: string) => `\nAn error occurred (${code}) when calling the CompleteMultipartUpload operation: ${message}\n`;
    expect(await complete([{ PartNumber: 2, ETag: p2.ETag }, { PartNumber: 1, ETag: p1.ETag }])).toMatchObject({
      code: exit,
      stderr: line("InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number."),
    });
    expect(await complete([{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }])).toMatchObject({
      code: exit,
      stderr: line("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size"),
    });
    expect(await complete([{ PartNumber: 3, ETag: p1.ETag }])).toMatchObject({
      code: exit,
      stderr: line(
        "InvalidPart",
        "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
      ),
    });
    // One part: the last may be any size.
    const done = JSON.parse((await complete([{ PartNumber: 1, ETag: p1.ETag }])).stdout);
    expect(done).toMatchObject({ Bucket: b, Key: "k", ETag: `"${createHash("md5").update(Buffer.from(p1.ETag.replaceAll('"', ""), "hex")).digest("hex")}-1"` });
    const body = join(dir, "mpu-out");
    await cli(["s3api", "get-object", "--bucket", b, "--key", "k", body]);
    expect(readFileSync(body, "utf8")).toBe("first part");

    const again = JSON.parse((await cli(["s3api", "create-multipart-upload", "--bucket", b, "--key", "k2"])).stdout);
    expect(await cli(["s3api", "abort-multipart-upload", "--bucket", b, "--key", "k2", "--upload-id", again.UploadId])).toMatchObject({ code: 0 });
    expect(await cli(["s3api", "abort-multipart-upload", "--bucket", b, "--key", "k2", "--upload-id", again.UploadId])).toMatchObject({
      code: exit,
      stderr:
        "\nAn error occurred (NoSuchUpload) when calling the AbortMultipartUpload operation: The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.\n",
    });
    expect(await cli(["s3", "rb", "--force", `s3://${b}`])).toMatchObject({ code: 0 });
  });
}, 180_000);

describe("boto3", () => {
  it("put_object with metadata and a checksum, get_object back, upload_file/download_file (also multipart), list_objects_v2 pages", async () => {
    const src = join(dir, "boto-src.bin");
    const dst = join(dir, "boto-dst.bin");
    writeFileSync(src, randomBytes(1_000_000));
    const big = join(dir, "boto-big.bin");
    const bigDown = join(dir, "boto-big-down.bin");
    writeFileSync(big, randomBytes(12 * 1024 * 1024));
    const r = await boto3(
      server.url,
      server.root,
      [
        `s3 = s.client('s3', endpoint_url=${JSON.stringify(server.url)}, config=cfg)`,
        "s3.create_bucket(Bucket='boto-objects')",
        "put = s3.put_object(Bucket='boto-objects', Key='m.txt', Body=b'hello', Metadata={'Owner': 'alice'}, ContentType='text/plain', ChecksumAlgorithm='SHA256')",
        "got = s3.get_object(Bucket='boto-objects', Key='m.txt', ChecksumMode='ENABLED')",
        `s3.upload_file(${JSON.stringify(src)}, 'boto-objects', 'file.bin')`,
        "from boto3.s3.transfer import TransferConfig",
        "small = TransferConfig(multipart_threshold=5*1024*1024, multipart_chunksize=5*1024*1024)",
        `s3.upload_file(${JSON.stringify(big)}, 'boto-objects', 'big.bin', Config=small)`,
        `s3.download_file('boto-objects', 'big.bin', ${JSON.stringify(bigDown)}, Config=small)`,
        `s3.download_file('boto-objects', 'file.bin', ${JSON.stringify(dst)})`,
        "for i in range(5): s3.put_object(Bucket='boto-objects', Key='p/%d' % i, Body=b'x')",
        "for k in ['g/a/1', 'g/a/2', 'g/b', 'g/c/1']: s3.put_object(Bucket='boto-objects', Key=k, Body=b'')",
        "pages = [[p.get('CommonPrefixes', []), [o['Key'] for o in p.get('Contents', [])]] for p in s3.get_paginator('list_objects_v2').paginate(Bucket='boto-objects', Prefix='g/', Delimiter='/', PaginationConfig={'PageSize': 1})]",
        "page1 = s3.list_objects_v2(Bucket='boto-objects', Prefix='p/', MaxKeys=3)",
        "page2 = s3.list_objects_v2(Bucket='boto-objects', Prefix='p/', MaxKeys=3, ContinuationToken=page1['NextContinuationToken'])",
        "print(json.dumps({'etag': put['ETag'], 'sha': put.get('ChecksumSHA256'), 'body': got['Body'].read().decode(), 'type': got['ContentType'], 'meta': got['Metadata'], 'gotSha': got.get('ChecksumSHA256'),",
        "  'p1': [o['Key'] for o in page1['Contents']], 't1': page1['IsTruncated'], 'p2': [o['Key'] for o in page2['Contents']], 't2': page2['IsTruncated'], 'pages': pages}))",
      ].join("\n"),
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const sha = createHash("sha256").update("hello").digest("base64");
    expect(out).toEqual({
      etag: `"${createHash("md5").update("hello").digest("hex")}"`,
      sha,
      body: "hello",
      type: "text/plain",
      meta: { owner: "alice" },
      gotSha: sha,
      p1: ["p/0", "p/1", "p/2"],
      t1: true,
      p2: ["p/3", "p/4"],
      t2: false,
      // One entry a page; a page that ends on a CommonPrefix goes on after its whole group.
      pages: [
        [[{ Prefix: "g/a/" }], []],
        [[], ["g/b"]],
        [[{ Prefix: "g/c/" }], []],
      ],
    });
    expect(readFileSync(dst)).toEqual(readFileSync(src));
    expect(md5(readFileSync(bigDown))).toBe(md5(readFileSync(big)));
  });
});

describe("objects and policies", () => {
  it("AmazonS3ReadOnlyAccess reads but may not write; a missing key is 404 with s3:ListBucket, 403 without", async () => {
    const { iam } = sdkClients(server.url, server.root);
    const reader = await createUserWithKey(iam, "reader");
    await iam.send(new AttachUserPolicyCommand({ UserName: "reader", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }));
    const getter = await createUserWithKey(iam, "getter");
    const onlyGet = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::guarded/*" }] });
    await iam.send(new PutUserPolicyCommand({ UserName: "getter", PolicyName: "get", PolicyDocument: onlyGet }));

    const v2 = (creds: typeof reader, args: string[]) => awsCli("/usr/bin/aws", server.url, creds, args);
    expect(await v2(server.root, ["s3", "mb", "s3://guarded"])).toMatchObject({ code: 0 });
    writeFileSync(join(dir, "g.txt"), "guarded\n");
    expect(await v2(server.root, ["s3", "cp", join(dir, "g.txt"), "s3://guarded/g.txt"])).toMatchObject({ code: 0 });

    const refused = await v2(reader, ["s3", "cp", join(dir, "g.txt"), "s3://guarded/new.txt"]);
    expect(refused.code).toBe(1);
    // The CLI names the local file relative to its working directory.
    expect(refused.stderr).toMatch(/^upload failed: \S*g\.txt to s3:\/\/guarded\/new\.txt An error occurred \(AccessDenied\) when calling the PutObject operation: Access Denied\n$/);
    const got = await v2(reader, ["s3", "cp", "s3://guarded/g.txt", "-"]);
    expect(got).toMatchObject({ code: 0, stdout: "guarded\n" });
    const line = (code: string, message: string) => `\nAn error occurred (${code}) when calling the GetObject operation: ${message}\n`;
    expect(await v2(reader, ["s3api", "get-object", "--bucket", "guarded", "--key", "missing", join(dir, "out")])).toMatchObject({
      code: 254,
      stderr: line("NoSuchKey", "The specified key does not exist."),
    });
    expect(await v2(getter, ["s3api", "get-object", "--bucket", "guarded", "--key", "missing", join(dir, "out")])).toMatchObject({
      code: 254,
      stderr: line("AccessDenied", "Access Denied"),
    });
    expect(await v2(getter, ["s3api", "get-object", "--bucket", "guarded", "--key", "g.txt", join(dir, "out")])).toMatchObject({ code: 0 });
    expect(readFileSync(join(dir, "out"), "utf8")).toBe("guarded\n");
  });
});

describe("copies, batch deletes, presigned URLs, expired sessions, SigV2", () => {
  it("boto3: copy_object (COPY and REPLACE), delete_objects (Quiet or not), the bucket emptied by resource API", async () => {
    const r = await boto3(
      server.url,
      server.root,
      [
        `s3 = s.client('s3', endpoint_url=${JSON.stringify(server.url)}, config=cfg)`,
        "s3.create_bucket(Bucket='copies')",
        "s3.put_object(Bucket='copies', Key='src', Body=b'payload', Metadata={'a': '1'}, ContentType='text/x-src')",
        "c1 = s3.copy_object(Bucket='copies', Key='dst1', CopySource={'Bucket': 'copies', 'Key': 'src'})",
        "c2 = s3.copy_object(Bucket='copies', Key='dst2', CopySource='copies/src', MetadataDirective='REPLACE', Metadata={'b': '2'}, ContentType='text/x-new')",
        "h1 = s3.head_object(Bucket='copies', Key='dst1'); h2 = s3.head_object(Bucket='copies', Key='dst2')",
        "self = err(lambda: s3.copy_object(Bucket='copies', Key='src', CopySource='copies/src'))",
        "d = s3.delete_objects(Bucket='copies', Delete={'Objects': [{'Key': 'dst1'}, {'Key': 'never-was'}]})",
        "q = s3.delete_objects(Bucket='copies', Delete={'Objects': [{'Key': 'dst2'}], 'Quiet': True})",
        "r = boto3.resource('s3', endpoint_url=" + JSON.stringify(server.url) + ", region_name='us-east-1', aws_access_key_id=" + JSON.stringify(server.root.accessKeyId) + ", aws_secret_access_key=" + JSON.stringify(server.root.secretAccessKey) + ")",
        "r.Bucket('copies').objects.all().delete()",
        "left = s3.list_objects_v2(Bucket='copies').get('KeyCount')",
        "print(json.dumps({'etag': c1['CopyObjectResult']['ETag'], 'm1': h1['Metadata'], 't1': h1['ContentType'], 'm2': h2['Metadata'], 't2': h2['ContentType'],",
        "  'self': self, 'deleted': sorted(x['Key'] for x in d.get('Deleted', [])), 'quiet': q.get('Deleted'), 'left': left}))",
      ].join("\n"),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      etag: `"${md5(Buffer.from("payload"))}"`,
      m1: { a: "1" },
      t1: "text/x-src",
      m2: { b: "2" },
      t2: "text/x-new",
      self: [
        400,
        "InvalidRequest",
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      ],
      deleted: ["dst1", "never-was"],
      quiet: null,
      left: 0,
    });
  });

  it("aws s3 presign, then curl: the URL works until it expires", async () => {
    const cli = (args: string[]) => awsCli("/usr/bin/aws", server.url, server.root, args);
    await cli(["s3", "mb", "s3://presigned"]);
    writeFileSync(join(dir, "shared.txt"), "shared with a link\n");
    await cli(["s3", "cp", join(dir, "shared.txt"), "s3://presigned/shared.txt"]);
    const url = (await cli(["s3", "presign", "s3://presigned/shared.txt", "--expires-in", "60"])).stdout.trim();
    expect(url).toMatch(/X-Amz-Expires=60/);
    const fetched = await fetch(url);
    expect(fetched.status).toBe(200);
    expect(await fetched.text()).toBe("shared with a link\n");
    server.clock.offsetMs = 120_000; // two minutes later on the server
    try {
      const late = await fetch(url);
      expect(late.status).toBe(403);
      expect(await late.text()).toMatch(/<Code>AccessDenied<\/Code><Message>Request has expired<\/Message><X-Amz-Expires>60<\/X-Amz-Expires><Expires>/);
    } finally {
      server.clock.offsetMs = 0;
    }
  });

  it("an expired session: ExpiredToken; S3's old signature: refused with its text", async () => {
    const { sts } = sdkClients(server.url, server.root);
    // Issued 14 minutes ago by the server's clock (the client's signature is still within 15),
    // so 15 minutes' validity ends a minute from now; the server then looks two minutes on.
    server.clock.offsetMs = -14 * 60_000;
    const session = (await sts.send(new GetSessionTokenCommand({ DurationSeconds: 900 }))).Credentials!;
    const creds = { accessKeyId: session.AccessKeyId!, secretAccessKey: session.SecretAccessKey!, sessionToken: session.SessionToken! };
    server.clock.offsetMs = 120_000;
    try {
      expect(await awsCli("/usr/bin/aws", server.url, creds, ["s3", "ls"])).toMatchObject({
        code: 254,
        stderr: "\nAn error occurred (ExpiredToken) when calling the ListBuckets operation: The provided token has expired.\n",
      });
    } finally {
      server.clock.offsetMs = 0;
    }
    const v2 = await fetch(`${server.url}/`, { headers: { Authorization: `AWS ${server.root.accessKeyId}:c2lnbmF0dXJl`, Date: new Date().toUTCString() } });
    expect(v2.status).toBe(400);
    expect(await v2.text()).toMatch(/<Code>InvalidRequest<\/Code><Message>The authorization mechanism you have provided is not supported\. Please use AWS4-HMAC-SHA256\.<\/Message>/);
  });
});
