/**
 * One STS Query call as aws CLI v2 makes it: a form body (`Action`, `Version`, then the
 * parameters), SigV4 over content-type, host and x-amz-date (and the session token), the
 * standard retry mode, and the response parsed back into model-ordered values — or the
 * service's error.
 */
import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import type { Credentials, Endpoint } from "./config.js";
import { CliError, EXIT } from "./errors.js";
import type { OutputShape, StsOperation } from "./operations.js";
import { child, parseXml, XmlParseError, type XmlElement } from "./xml.js";

const STS_VERSION = "2011-06-15";

export type ParamValue = string | number;

export interface TransportOptions {
  /** ms; 0 = none */
  connectTimeoutMs: number;
  readTimeoutMs: number;
  verifySsl: boolean;
  caBundle?: string;
  maxAttempts: number;
  userAgent: string;
  /** The clock requests are signed with (ms since the epoch); the system clock when not given. */
  now?: () => number;
  /** For --debug. */
  debug?: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** A service error as the CLI prints it: "An error occurred (CODE) when calling …". */
export class ServiceError extends CliError {
  constructor(
    readonly code: string,
    readonly serviceMessage: string,
    readonly status: number,
    operation: string,
    retries: number,
  ) {
    const retried = retries > 0 ? ` (reached max retries: ${retries})` : "";
    super(EXIT.service, `An error occurred (${code}) when calling the ${operation} operation${retried}: ${serviceMessage}`);
  }
}

/** Python's urllib.parse.quote_plus, which botocore's query serializer uses. */
export function formEncode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/** A Query form as botocore sends it: Action, Version, then the parameters in order. */
export function queryBody(action: string, params: ReadonlyMap<string, ParamValue>, version = STS_VERSION): string {
  const pairs: [string, string][] = [
    ["Action", action],
    ["Version", version],
    ...[...params].map(([k, v]): [string, string] => [k, String(v)]),
  ];
  return pairs.map(([k, v]) => `${formEncode(k)}=${formEncode(v)}`).join("&");
}

interface RawResponse {
  status: number;
  statusMessage: string;
  body: string;
  /** The Date header: the server's clock. */
  date: string | undefined;
  /** Header names lower-cased, in arrival order; a repeated header's values joined by ", " (as urllib3 gives them to botocore). */
  headers: Record<string, string>;
}

class ConnectionError extends Error {}

async function send(url: URL, headers: Record<string, string>, body: string, options: TransportOptions): Promise<RawResponse> {
  // Loaded here, the one that is needed: node:https brings TLS, a few ms of every start-up.
  const { request } = url.protocol === "https:" ? await import("node:https") : await import("node:http");
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      headers,
      agent: false, // one request per process: no idle socket to hold the process open
      rejectUnauthorized: options.verifySsl,
      ...(options.caBundle !== undefined && { ca: readFileSync(options.caBundle) }),
    });
    const connectTimer =
      options.connectTimeoutMs > 0 ? setTimeout(() => req.destroy(new ConnectionError("connect timeout")), options.connectTimeoutMs) : undefined;
    req.on("socket", (socket) => {
      socket.once(url.protocol === "https:" ? "secureConnect" : "connect", () => clearTimeout(connectTimer));
    });
    if (options.readTimeoutMs > 0) {
      req.setTimeout(options.readTimeoutMs, () => req.destroy(new ReadTimeout(`Read timeout on endpoint URL: "${url.href}"`)));
    }
    req.on("error", (e) => {
      clearTimeout(connectTimer);
      const code = (e as NodeJS.ErrnoException).code ?? "";
      if (code in TLS_FAILURES) reject(new TlsVerificationError(TLS_FAILURES[code]!));
      else reject(e instanceof ReadTimeout ? e : new ConnectionError(e.message));
    });
    req.on("response", (res: IncomingMessage) => {
      clearTimeout(connectTimer);
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", (e) => reject(new ConnectionError(e.message)));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          statusMessage: res.statusMessage ?? "",
          body: Buffer.concat(chunks).toString("utf8"),
          date: res.headers.date,
          headers: headerRecord(res.rawHeaders),
        }),
      );
    });
    req.end(body);
  });
}

class ReadTimeout extends Error {}
class TlsVerificationError extends Error {}

/** OpenSSL's reasons as Python's ssl module words them (what the aws CLI prints after the URL). */
const PYTHON_SSL = (reason: string) => `[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ${reason} (_ssl.c:992)`;
const TLS_FAILURES: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: PYTHON_SSL("self-signed certificate"),
  SELF_SIGNED_CERT_IN_CHAIN: PYTHON_SSL("self-signed certificate in certificate chain"),
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: PYTHON_SSL("unable to get local issuer certificate"),
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: PYTHON_SSL("unable to get local issuer certificate"),
  CERT_HAS_EXPIRED: PYTHON_SSL("certificate has expired"),
  ERR_TLS_CERT_ALTNAME_INVALID: PYTHON_SSL("Hostname mismatch, certificate is not valid for this host"),
};

/** botocore's standard retry mode: these codes and statuses are transient. */
const RETRYABLE_CODES = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottledException",
  "TooManyRequestsException",
  "ProvisionedThroughputExceededException",
  "TransactionInProgressException",
  "RequestLimitExceeded",
  "BandwidthLimitExceeded",
  "LimitExceededException",
  "RequestThrottled",
  "SlowDown",
  "PriorRequestNotComplete",
  "EC2ThrottledException",
  "RequestTimeout",
  "RequestTimeoutException",
  "IDPCommunicationError",
]);
const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);
const MAX_BACKOFF_MS = 20_000;

/** The parsed result: output members in model order, timestamps as aws CLI v2 prints them. */
export type Parsed = { [member: string]: string | number | Parsed };

export interface StsResponse {
  result: Parsed;
  /** ms since the epoch by the server's Date header, when it sent a valid one. */
  serverTime: number | undefined;
  /** botocore's ResponseMetadata, members in its order (the aws CLI keeps it in its credential cache). */
  metadata: ResponseMetadata;
}

export interface ResponseMetadata {
  /** The children of the response's <ResponseMetadata> (RequestId), as text. */
  fromBody: Record<string, string>;
  status: number;
  headers: Record<string, string>;
  retryAttempts: number;
}

function headerRecord(raw: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    headers[name] = name in headers ? `${headers[name]}, ${raw[i + 1]}` : raw[i + 1]!;
  }
  return headers;
}

export async function callSts(
  operation: StsOperation,
  params: ReadonlyMap<string, ParamValue>,
  credentials: Credentials,
  endpoint: Endpoint,
  options: TransportOptions,
): Promise<StsResponse> {
  const url = new URL(endpoint.url);
  const body = queryBody(operation.name, params);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    const headers = await signQueryRequest(url, body, credentials, endpoint.signingRegion, "sts", options.now?.());
    headers["User-Agent"] = options.userAgent;
    headers["Content-Length"] = String(Buffer.byteLength(body));
    options.debug?.(`Sending http request: POST ${url.href} attempt ${attempt} body ${body.length} bytes`);
    let response: RawResponse;
    try {
      response = await send(url, headers, body, options);
    } catch (e) {
      // A certificate that does not verify will not verify on a retry either.
      if (!(e instanceof TlsVerificationError) && attempt < options.maxAttempts) {
        await sleep(backoff(attempt));
        continue;
      }
      if (e instanceof ReadTimeout) throw new CliError(EXIT.general, e.message);
      if (e instanceof TlsVerificationError) throw new CliError(EXIT.general, `SSL validation failed for ${url.href} ${e.message}`);
      throw new CliError(EXIT.general, `Could not connect to the endpoint URL: "${url.href}"`, { cause: e });
    }
    options.debug?.(`Response: ${response.status} ${response.statusMessage}`);
    if (response.status >= 200 && response.status < 300) {
      const serverTime = response.date === undefined ? NaN : Date.parse(response.date);
      const { result, fromBody } = parseResult(operation, response.body);
      return {
        result,
        serverTime: Number.isNaN(serverTime) ? undefined : serverTime,
        metadata: { fromBody, status: response.status, headers: response.headers, retryAttempts: attempt - 1 },
      };
    }
    const error = parseError(response);
    if (attempt < options.maxAttempts && (RETRYABLE_CODES.has(error.code) || RETRYABLE_STATUS.has(response.status))) {
      await sleep(backoff(attempt));
      continue;
    }
    throw new ServiceError(error.code, error.message, response.status, operation.name, attempt - 1);
  }
}

/** Standard mode: full jitter, base 2^(attempt−1) seconds, at most 20 s. */
const backoff = (attempt: number): number => Math.min(MAX_BACKOFF_MS, Math.random() * 1000 * 2 ** (attempt - 1));

/** The headers of a signed Query POST to `url` (Host is node's to send): content-type, x-amz-date, the token, authorization. */
export async function signQueryRequest(
  url: URL,
  body: string,
  credentials: Credentials,
  region: string,
  service: string,
  nowMs: number | undefined,
): Promise<Record<string, string>> {
  // Loaded on first use: the commands that fail before sending (arguments, skeletons,
  // configuration) should not pay for it at start-up.
  const [{ SignatureV4 }, { NodeSha256 }] = await Promise.all([import("@smithy/signature-v4"), import("./node-sha256.js")]);
  const signer = new SignatureV4({ credentials, region, service, sha256: NodeSha256, applyChecksum: false });
  const request = {
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port === "" ? undefined : Number(url.port),
    path: url.pathname,
    query: {},
    headers: { "Content-Type": "application/x-www-form-urlencoded; charset=utf-8", host: url.host },
    body,
  };
  const signed = await signer.sign(request, nowMs === undefined ? undefined : { signingDate: new Date(nowMs) });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) if (name !== "host") headers[name] = value;
  return headers;
}

function parseError(response: RawResponse): { code: string; message: string } {
  try {
    const doc = parseXml(response.body);
    const error = child(doc, "Error") ?? doc;
    const code = child(error, "Code")?.text;
    if (code !== undefined) return { code, message: child(error, "Message")?.text ?? "" };
  } catch (e) {
    if (!(e instanceof XmlParseError)) throw e;
  }
  // Not an AWS error document (a proxy's page, say): botocore reports the status and its reason.
  return { code: String(response.status), message: response.statusMessage };
}

function parseResult(operation: StsOperation, body: string): { result: Parsed; fromBody: Record<string, string> } {
  let doc: XmlElement;
  try {
    doc = parseXml(body);
  } catch (e) {
    throw new CliError(EXIT.general, `Unable to parse response (${(e as Error).message}), invalid XML received. Further retries may succeed:\n${body}`);
  }
  const fromBody: Record<string, string> = {};
  for (const node of child(doc, "ResponseMetadata")?.children ?? []) fromBody[node.name] = node.text;
  return { result: readMembers(operation.output, child(doc, `${operation.name}Result`)) ?? {}, fromBody };
}

function readMembers(shape: { readonly [member: string]: OutputShape }, element: XmlElement | undefined): Parsed | undefined {
  if (!element) return undefined;
  const out: Parsed = {};
  for (const [name, member] of Object.entries(shape)) {
    const node = child(element, name);
    if (!node) continue;
    if (member === "string") out[name] = node.text;
    else if (member === "integer") out[name] = Number.parseInt(node.text, 10);
    else if (member === "timestamp") out[name] = cliTimestamp(node.text);
    else {
      const nested = readMembers(member, node);
      if (nested) out[name] = nested;
    }
  }
  return out;
}

/**
 * aws CLI v2 prints timestamps as Python's datetime.isoformat() of the parsed UTC value:
 * 2011-07-11T19:55:29.611Z → 2011-07-11T19:55:29.611000+00:00; no fraction when it is zero.
 */
export function cliTimestamp(wire: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(wire.trim());
  if (!m) return wire;
  const [, date, time, fraction = "", zone = "Z"] = m;
  let ms = Date.parse(`${date}T${time}Z`);
  if (zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.replace(/[^0-9]/g, "");
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  const micros = fraction.padEnd(6, "0").slice(0, 6);
  const utc = new Date(ms).toISOString().slice(0, 19);
  return `${utc}${/^0+$/.test(micros) ? "" : `.${micros}`}+00:00`;
}
