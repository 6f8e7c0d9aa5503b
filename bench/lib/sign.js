// SigV4 pre-signing of Query requests with AWS's own signer (@smithy/signature-v4). A signed
// request stays valid for ±15 minutes and the server keeps no nonce, so one signed request may be
// sent many times: the load generator cycles through a pool of them (or, where a request may be
// used only once, as with an MFA code or a new user name, walks through the pool once).
import { SignatureV4 } from "@smithy/signature-v4";
import { NodeSha256 } from "../../dist/client/node-sha256.js";
import { formEncode } from "../../dist/client/sts-request.js";
import { child, parseXml } from "../../dist/client/xml.js";

const queryBody = (params) =>
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

/** GetSessionToken as `credentials`: the session's { accessKeyId, secretAccessKey, sessionToken }. */
export async function getSession(baseUrl, credentials, extra = {}) {
  const req = await signQuery(baseUrl, credentials, "sts", getSessionToken(extra));
  const res = await fetch(new URL(req.path, baseUrl), { method: req.method, headers: req.headers, body: req.body });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GetSessionToken answered ${res.status}: ${body}`);
  const field = (name) => child(child(child(parseXml(body), "GetSessionTokenResult"), "Credentials"), name)?.text;
  return { accessKeyId: field("AccessKeyId"), secretAccessKey: field("SecretAccessKey"), sessionToken: field("SessionToken") };
}

/**
 * One signed Query call: { status, body, xml } (xml: the parsed answer, undefined if it is not XML).
 * `expectStatus`: throw, with the answer, on any other status.
 */
export async function callQuery(baseUrl, credentials, service, params, expectStatus) {
  const req = await signQuery(baseUrl, credentials, service, params);
  const res = await fetch(new URL(req.path, baseUrl), { method: req.method, headers: req.headers, body: req.body });
  const body = await res.text();
  if (expectStatus !== undefined && res.status !== expectStatus) {
    throw new Error(`${params.Action} answered ${res.status} (expected ${expectStatus}): ${body.slice(0, 2000)}`);
  }
  let xml;
  try {
    xml = parseXml(body);
  } catch {
    xml = undefined;
  }
  return { status: res.status, body, xml };
}

/** The text of the element at `path` (names from the root's children down), or undefined. */
export const xmlText = (xml, ...path) => path.reduce((e, name) => child(e, name), xml)?.text;
