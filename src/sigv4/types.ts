/**
 * The request as it arrived on the wire: what SigV4 verification needs, and nothing decoded.
 * Verification must work on these raw values, because the signature covers the bytes the
 * client sent, not our interpretation of them.
 */
export interface WireRequest {
  /** HTTP method, upper case as received (e.g. "POST"). */
  method: string;
  /** The request target's path, as sent, without the query (e.g. "/" or "/a%20b"). */
  rawPath: string;
  /** The query string as sent, without the leading "?"; "" when there is none. */
  rawQuery: string;
  /** Headers in arrival order, names and values exactly as received (node's rawHeaders pairs). */
  headers: ReadonlyArray<readonly [string, string]>;
  /** The raw body bytes. */
  body: Uint8Array;
  /** The peer's IP address (policies' aws:SourceIp); absent for requests made in memory. */
  remoteAddress?: string;
  /** Whether the request came over TLS (policies' aws:SecureTransport). */
  secure?: boolean;
  /**
   * The body still to be read, for the requests whose bodies are streamed (S3 object uploads);
   * `body` is then empty.
   */
  stream?: AsyncIterable<Uint8Array>;
}

/** The SigV4 parameters a request carries, from the Authorization header or the presigned query. */
export interface SigV4Auth {
  form: "header" | "query";
  accessKeyId: string;
  /** YYYYMMDD from the credential scope. */
  scopeDate: string;
  region: string;
  service: string;
  /** X-Amz-Date (header or query) as sent: YYYYMMDDTHHMMSSZ. */
  amzDate: string;
  /** Lower-case header names from SignedHeaders, in the order sent. */
  signedHeaders: string[];
  /** 64 lower-case hex characters. */
  signature: string;
  /** X-Amz-Security-Token from the header or the query, when present. */
  securityToken?: string;
}
