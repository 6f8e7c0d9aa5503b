/**
 * ListMultipartUploads with `delimiter` and `encoding-type` (s3-spec §8.12), through boto3: keys
 * that go on past the delimiter roll up into CommonPrefixes, each counted against max-uploads;
 * botocore's own paginator walks the pages with NextKeyMarker/NextUploadIdMarker (a page that
 * ends on a CommonPrefix hands on the prefix alone); `encoding-type=url` percent-encodes the key
 * fields (botocore leaves them encoded for this operation).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boto3 } from "./helpers/clients.js";
import { s3Exchange } from "./helpers/s3-raw.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

let server: TestServer;
const KEYS = ["a/1", "a/2", "a/b/3", "b/1", "c", "c", "d%e f", "e+/x"];
beforeAll(async () => {
  server = await startTestServer();
  const run = await py([
    "s3.create_bucket(Bucket='uploads')",
    `for k in ${JSON.stringify(KEYS)}: s3.create_multipart_upload(Bucket='uploads', Key=k)`,
    "print('ok')",
  ]);
  expect(run).toBe("ok");
});
afterAll(async () => server?.close());

/** Runs boto3 lines with `s3` bound to the server; their printed output, trimmed. */
async function py(lines: string[]): Promise<string> {
  const run = await boto3(server.url, server.root, [`s3 = s.client('s3', endpoint_url=${JSON.stringify(server.url)}, config=cfg)`, ...lines].join("\n"));
  if (run.code !== 0) throw new Error(run.stderr);
  return run.stdout.trim();
}

/** One list_multipart_uploads call's entries: uploads as their keys, prefixes as `P:prefix`. */
const ENTRIES = "lambda r: [u['Key'] for u in r.get('Uploads', [])] + ['P:' + p['Prefix'] for p in r.get('CommonPrefixes', [])]";

describe("ListMultipartUploads with a delimiter", () => {
  it("rolls keys past the delimiter up into CommonPrefixes, under a prefix too", async () => {
    const out = await py([
      `entries = ${ENTRIES}`,
      "top = s3.list_multipart_uploads(Bucket='uploads', Delimiter='/')",
      "under = s3.list_multipart_uploads(Bucket='uploads', Delimiter='/', Prefix='a/')",
      "flat = s3.list_multipart_uploads(Bucket='uploads')",
      "print(json.dumps([entries(top), top['Delimiter'], top['IsTruncated'], entries(under), under['Prefix'], entries(flat)]))",
    ]);
    expect(JSON.parse(out)).toEqual([
      ["c", "c", "d%e f", "P:a/", "P:b/", "P:e+/"],
      "/",
      false,
      ["a/1", "a/2", "P:a/b/"],
      "a/",
      KEYS,
    ]);
  });

  it("counts each CommonPrefix against max-uploads; botocore's paginator walks every entry once", async () => {
    const out = await py([
      `entries = ${ENTRIES}`,
      "pages = s3.get_paginator('list_multipart_uploads').paginate(Bucket='uploads', Delimiter='/', PaginationConfig={'PageSize': 1})",
      "seen = [(entries(p), p['IsTruncated'], p.get('NextKeyMarker'), 'NextUploadIdMarker' in p) for p in pages]",
      "print(json.dumps(seen))",
    ]);
    expect(JSON.parse(out)).toEqual([
      [["P:a/"], true, "a/", false],
      [["P:b/"], true, "b/", false],
      [["c"], true, "c", true],
      [["c"], true, "c", true],
      [["d%e f"], true, "d%e f", true],
      [["P:e+/"], false, null, false],
    ]);
  });

  it("encoding-type=url percent-encodes Key, Prefix, Delimiter, the markers and the CommonPrefixes", async () => {
    const out = await py([
      `entries = ${ENTRIES}`,
      "r = s3.list_multipart_uploads(Bucket='uploads', Delimiter='+', KeyMarker='c', EncodingType='url', MaxUploads=1)",
      "print(json.dumps([entries(r), r['EncodingType'], r['Delimiter'], r['KeyMarker'], r['NextKeyMarker'], r['IsTruncated']]))",
    ]);
    // After every upload of "c": "d%e f", then "e+/x", which rolls up into "e+".
    expect(JSON.parse(out)).toEqual([["d%25e%20f"], "url", "%2B", "c", "d%25e%20f", true]);
    const prefixes = await py(["r = s3.list_multipart_uploads(Bucket='uploads', Delimiter='/', Prefix='e+', EncodingType='url')", "print(json.dumps([r['Prefix'], r['CommonPrefixes']]))"]);
    expect(JSON.parse(prefixes)).toEqual(["e%2B", [{ Prefix: "e%2B/" }]]);
  });

  it("an encoding-type other than url: InvalidArgument; the elements in the model's order", async () => {
    const bad = await py(["print(json.dumps(err(lambda: s3.list_multipart_uploads(Bucket='uploads', EncodingType='xml'))))"]);
    expect(JSON.parse(bad)).toEqual([400, "InvalidArgument", "Invalid Encoding Method specified in Request"]);
    const raw = await s3Exchange(server.port, server.root, { method: "GET", path: "/uploads", query: { uploads: "", delimiter: "/", prefix: "a/", "encoding-type": "url" } });
    expect(raw.status).toBe(200);
    expect(raw.body).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<ListMultipartUploadsResult xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/"><Bucket>uploads<\/Bucket><KeyMarker><\/KeyMarker><UploadIdMarker><\/UploadIdMarker><Prefix>a\/<\/Prefix><Delimiter>\/<\/Delimiter><MaxUploads>1000<\/MaxUploads><IsTruncated>false<\/IsTruncated><Upload><Key>a\/1<\/Key>.*<\/Upload><CommonPrefixes><Prefix>a\/b\/<\/Prefix><\/CommonPrefixes><EncodingType>url<\/EncodingType><\/ListMultipartUploadsResult>$/,
    );
  });
});
