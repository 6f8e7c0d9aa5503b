// SigV4 pre-signing of Query requests with AWS's own signer (@smithy/signature-v4). A signed
// request stays valid for ±15 minutes and the server keeps no nonce, so one signed request may be
// sent many times: the load generator cycles through a pool of them (or, where a request may be
// used only once, as with an MFA code or a new user name, walks through the pool once).
import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";

const bytes = (data) =>
  typeof data === "string"
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** node:crypto behind the hash interface the signer expects. */
class NodeSha256 {
  constructor(secret) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data) {
    this.hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
  reset() {
    throw new Error("not used");
  }
}

export const formEncode = (s) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export const queryBody = (params) =>
  Object.entries(params)
    .map(([k, v]) => `${formEncode(k)}=${formEncode(String(v))}`)
    .join("&");

const signers = new Map();
function signerFor(credentials, service) {
  const id = `${credentials.accessKeyId}\0${credentials.sessionToken ?? ""}\0${service}`;
  let signer = signers.get(id);
  if (!signer) {
    signer = new SignatureV4({ credentials, region: "us-east-1", service, sha256: NodeSha256, applyChecksum: false });
    if (signers.size > 20_000) signers.clear();
    signers.set(id, signer);
  }
  return signer;
}

/**
 * A signed POST of a Query body, as { method, path, headers, body } for the load generator.
 * `credentials`: { accessKeyId, secretAccessKey, sessionToken? }; `service`: "sts" or "iam".
 */
export async function signQuery(baseUrl, credentials, service, params) {
  const url = new URL(baseUrl);
  const body = queryBody(params);
  const signed = await signerFor(credentials, service).sign({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: "/",
    query: {},
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8", host: url.host },
    body,
  });
  return { method: "POST", path: "/", headers: { ...signed.headers }, body };
}

export const GET_CALLER_IDENTITY = { Action: "GetCallerIdentity", Version: "2011-06-15" };
export const getSessionToken = (extra = {}) => ({ Action: "GetSessionToken", Version: "2011-06-15", ...extra });
export const createUser = (userName) => ({ Action: "CreateUser", Version: "2010-05-08", UserName: userName });

/** Sends one signed Query request; resolves { status, body }. */
export async function callQuery(baseUrl, credentials, service, params) {
  const req = await signQuery(baseUrl, credentials, service, params);
  const res = await fetch(new URL(req.path, baseUrl), { method: req.method, headers: req.headers, body: req.body });
  return { status: res.status, body: await res.text() };
}

const element = (xml, name) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

/** GetSessionToken as `credentials`: the session's { accessKeyId, secretAccessKey, sessionToken }. */
export async function getSession(baseUrl, credentials, extra = {}) {
  const { status, body } = await callQuery(baseUrl, credentials, "sts", getSessionToken(extra));
  if (status !== 200) throw new Error(`GetSessionToken answered ${status}: ${body}`);
  const unescape = (s) => s.replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'");
  return {
    accessKeyId: element(body, "AccessKeyId"),
    secretAccessKey: unescape(element(body, "SecretAccessKey")),
    sessionToken: unescape(element(body, "SessionToken")),
  };
}
