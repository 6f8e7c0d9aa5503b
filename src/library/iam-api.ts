/**
 * IAM calls over HTTP, as any client makes them: a Query form signed with SigV4 by AWS's own
 * signer (@smithy/signature-v4, as the CLI drop-ins sign), posted to the server, the XML answer read back. The test-fixture
 * helpers of `startServer` go through this, so they meet the same authentication, validation and
 * policy checks as the aws CLI would — never the store behind the API's back.
 */
import { request } from "node:http";
import { queryBody, signQueryRequest } from "../client/sts-request.js";
import { child, parseXml, type XmlElement } from "../client/xml.js";
import { IAM } from "../protocol/operation.js";

export interface IamCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** An IAM answer that was an error envelope: AWS's code and message. */
export class IamCallError extends Error {
  constructor(
    readonly action: string,
    readonly code: string,
    readonly status: number,
    readonly serviceMessage: string,
  ) {
    super(`IAM ${action} failed: ${code}: ${serviceMessage}`);
    this.name = "IamCallError";
  }
}

export class IamApi {
  constructor(
    private readonly url: string,
    private readonly credentials: IamCredentials,
    /** The server's clock: requests are signed at the server's time, so a moved clock is no skew. */
    private readonly now: () => number,
  ) {}

  /** Calls `action` and returns its `<ActionResult>` element; an error envelope throws IamCallError. */
  async call(action: string, params: Readonly<Record<string, string>> = {}): Promise<XmlElement> {
    const body = queryBody(action, new Map(Object.entries(params)), IAM.version);
    const target = new URL(this.url);
    const headers = await signQueryRequest(target, body, this.credentials, "us-east-1", IAM.name, this.now());
    const { status, text } = await post(target, headers, body);
    const doc = parseXml(text);
    if (status !== 200) {
      const error = child(doc, "Error");
      throw new IamCallError(action, child(error, "Code")?.text ?? String(status), status, child(error, "Message")?.text ?? "");
    }
    const result = child(doc, `${action}Result`);
    // Actions with an empty output (EnableMFADevice) answer a response without a result element.
    return result ?? { name: `${action}Result`, children: [], text: "" };
  }
}

function post(url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { ...headers, "content-length": String(Buffer.byteLength(body)) }, agent: false });
    req.on("error", reject);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
    });
    req.end(body);
  });
}

/** The text of `path` under `element` (e.g. ["User", "Arn"]), or an error naming what is missing. */
export function textAt(element: XmlElement, ...path: string[]): string {
  let node: XmlElement | undefined = element;
  for (const name of path) node = child(node, name);
  if (node === undefined) throw new Error(`IAM answered without ${element.name}/${path.join("/")}`);
  return node.text;
}
