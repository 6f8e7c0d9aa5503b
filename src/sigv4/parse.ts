import type { SigV4Auth, WireRequest } from "./types.js";
import {
  ALGORITHM,
  ALGORITHM_QUERY_PARAM,
  AMZ_DATE_HEADER,
  AMZ_DATE_QUERY_PARAM,
  AUTHORIZATION_HEADER,
  CREDENTIAL_COMPONENT,
  CREDENTIAL_QUERY_PARAM,
  DATE_HEADER,
  KEY_TYPE_IDENTIFIER,
  SIGNATURE_COMPONENT,
  SIGNATURE_QUERY_PARAM,
  SIGNED_HEADERS_COMPONENT,
  SIGNED_HEADERS_QUERY_PARAM,
  TOKEN_HEADER,
  TOKEN_QUERY_PARAM,
} from "./constants.js";
import { badDateMessage, parseAmzDate } from "./time.js";
import { headerValue, percentDecode, splitQuery } from "./uri.js";

export type ParseErrorCode = "IncompleteSignature" | "MissingAuthenticationToken";

export type ParseResult =
  | { kind: "none" }
  | { kind: "error"; code: ParseErrorCode; message: string }
  | { kind: "ok"; auth: SigV4Auth };

/*
 * Repeated values. When a header or an auth query parameter occurs more than once we join
 * the occurrences with ',' - what an HTTP front end does when it folds repeated fields into
 * one (RFC 9110 section 5.3) - and validate the joined value. A repeated Authorization header
 * then fails as a malformed header, a repeated X-Amz-Date as a malformed date, a repeated
 * X-Amz-Algorithm as an unsupported algorithm, all with AWS's own texts, without us inventing
 * a "duplicate" message AWS never shows. Values are kept as wire strings (one character per
 * byte, see uri.ts), so they hash back to the bytes the client sent.
 */

function incomplete(message: string): ParseResult {
  return { kind: "error", code: "IncompleteSignature", message };
}

const NO_PARAMS: ReadonlyMap<string, string> = new Map();

/** Decoded query parameters by decoded name (case-sensitive), repeated ones joined with ','. */
export function queryParams(rawQuery: string): ReadonlyMap<string, string> {
  if (rawQuery === "") return NO_PARAMS; // a POSTed Query request
  const params = new Map<string, string>();
  for (const { name, value } of splitQuery(rawQuery)) {
    const n = percentDecode(name, true).toString("latin1");
    const v = percentDecode(value, true).toString("latin1");
    const prev = params.get(n);
    params.set(n, prev === undefined ? v : `${prev},${v}`);
  }
  return params;
}

/**
 * Split a credential on '/' the way AWS (Java's String.split) does: trailing empty elements
 * are dropped, so "AKID/20150830/us-east-1/sts/aws4_request/" still has 5 elements.
 */
function splitCredential(credential: string): string[] {
  const parts = credential.split("/");
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

/**
 * The checks shared by both forms, in AWS's order once the parameters are all present:
 * date format, then the credential's shape.
 */
function buildAuth(
  form: SigV4Auth["form"],
  credential: string,
  signedHeaders: string,
  signature: string,
  amzDate: string,
  securityToken: string | undefined,
): ParseResult {
  if (parseAmzDate(amzDate) === undefined) return incomplete(badDateMessage(amzDate));

  const scope = splitCredential(credential);
  if (scope.length !== 5) {
    return incomplete(
      "Credential must have exactly 5 slash-delimited elements, " +
        `e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [accessKeyId, scopeDate, region, service, terminator] = scope as [
    string, string, string, string, string,
  ];
  if (terminator !== KEY_TYPE_IDENTIFIER) {
    // UNCONFIRMED: AWS's text, but AWS reports it together with the other scope checks as a
    // signature failure; the trailing space is as AWS joins its scope sentences.
    return incomplete(
      `Credential should be scoped with a valid terminator: '${KEY_TYPE_IDENTIFIER}', not '${terminator}'. `,
    );
  }
  if (!/^\d{8}$/.test(scopeDate)) {
    // UNCONFIRMED: a scope date that is not YYYYMMDD cannot match X-Amz-Date; AWS words it so.
    return incomplete(
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: " +
        `'${scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }

  const auth: SigV4Auth = {
    form,
    accessKeyId,
    scopeDate,
    region,
    service,
    amzDate,
    // Header names are case-insensitive; the canonical request uses them in lower case.
    signedHeaders: signedHeaders.split(";").map((h) => h.toLowerCase()),
    signature,
  };
  if (securityToken !== undefined) auth.securityToken = securityToken;
  return { kind: "ok", auth };
}

/** Separators between Authorization components: commas and/or whitespace, as AWS tokenises. */
const COMPONENT_SEPARATORS = /[\t\n\v\f\r ,]+/;

function parseHeaderForm(req: WireRequest, authorization: string): ParseResult {
  const tokens = authorization.split(COMPONENT_SEPARATORS).filter((t) => t !== "");
  // An empty header has no algorithm to complain about: AWS lists the missing parameters.
  const scheme = tokens[0];
  if (scheme !== undefined && scheme !== ALGORITHM) {
    // UNCONFIRMED: text from the AWS auth error ordering as reimplemented by scratchstack.
    return incomplete(`Unsupported AWS 'algorithm': '${scheme}'.`);
  }

  const components = new Map<string, string>();
  for (const token of tokens.slice(1)) {
    const eq = token.indexOf("=");
    if (eq < 0) {
      // AWS splits on whitespace too: "Credential= AKID/..." leaves "AKID/..." on its own.
      return incomplete(
        `'${token}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authorization}'.`,
      );
    }
    const key = token.slice(0, eq);
    const value = token.slice(eq + 1);
    const prev = components.get(key);
    components.set(key, prev === undefined ? value : `${prev},${value}`);
  }

  const amzDate = headerValue(req, AMZ_DATE_HEADER);
  const date = amzDate ?? headerValue(req, DATE_HEADER);

  // Every missing piece is reported at once, then the header itself (AWS's wording).
  let missing = "";
  for (const name of [CREDENTIAL_COMPONENT, SIGNATURE_COMPONENT, SIGNED_HEADERS_COMPONENT]) {
    if (!components.get(name)) missing += `Authorization header requires '${name}' parameter. `;
  }
  if (!date) {
    missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (missing !== "") return incomplete(`${missing}Authorization=${authorization}`);

  return buildAuth(
    "header",
    components.get(CREDENTIAL_COMPONENT)!,
    components.get(SIGNED_HEADERS_COMPONENT)!,
    components.get(SIGNATURE_COMPONENT)!,
    // The Date header is only usable when it is itself in X-Amz-Date's format (it is signed
    // into the string-to-sign as is); an RFC 1123 date fails the format check.
    date!,
    headerValue(req, TOKEN_HEADER),
  );
}

/** The parameters a presigned URL must carry, in the order AWS lists the missing ones. */
const REQUIRED_QUERY_PARAMS = [
  ALGORITHM_QUERY_PARAM,
  CREDENTIAL_QUERY_PARAM,
  SIGNATURE_QUERY_PARAM,
  SIGNED_HEADERS_QUERY_PARAM,
  AMZ_DATE_QUERY_PARAM,
] as const;

function parseQueryForm(params: ReadonlyMap<string, string>): ParseResult {
  let missing = "";
  for (const name of REQUIRED_QUERY_PARAMS) {
    // UNCONFIRMED: wording and order as AWS emulators (kinesalite, scratchstack) reproduce them.
    if (!params.get(name)) missing += `AWS query-string parameters must include '${name}'. `;
  }
  if (missing !== "") return incomplete(`${missing}Re-examine the query-string parameters.`);

  if (params.get(ALGORITHM_QUERY_PARAM) !== ALGORITHM) {
    // UNCONFIRMED: per the AWS auth error ordering as reimplemented by scratchstack, a presigned
    // URL with another algorithm counts as carrying no authentication at all.
    return {
      kind: "error",
      code: "MissingAuthenticationToken",
      message: "Request is missing Authentication Token",
    };
  }

  return buildAuth(
    "query",
    params.get(CREDENTIAL_QUERY_PARAM)!,
    params.get(SIGNED_HEADERS_QUERY_PARAM)!,
    params.get(SIGNATURE_QUERY_PARAM)!,
    params.get(AMZ_DATE_QUERY_PARAM)!,
    params.get(TOKEN_QUERY_PARAM),
  );
}

/**
 * Find and check the SigV4 parameters of a request, from its Authorization header or its
 * presigned query. Pure and total: any input gives one of the three kinds, never an exception.
 *
 * - `none`: no Authorization header and no X-Amz-Algorithm / X-Amz-Signature query parameter
 *   (the caller answers MissingAuthenticationToken, or treats the request as anonymous).
 * - `error`: the request tries to authenticate but the parameters are malformed; the message
 *   is AWS's text (those not confirmed against AWS are marked UNCONFIRMED in the code).
 * - `ok`: well-formed parameters. Nothing is verified yet: see verifySignature,
 *   checkRequestTime and checkScopeDate.
 *
 * The strings in the result are wire strings (one character per byte, as node presents them).
 */
export function parseSigV4(req: WireRequest): ParseResult {
  try {
    const authorization = headerValue(req, AUTHORIZATION_HEADER);
    const params = queryParams(req.rawQuery);
    const presigned = params.has(ALGORITHM_QUERY_PARAM) || params.has(SIGNATURE_QUERY_PARAM);

    if (authorization !== undefined && params.has(ALGORITHM_QUERY_PARAM)) {
      // UNCONFIRMED code: AWS (Kinesis, DynamoDB) answers this text with InvalidSignatureException.
      return incomplete(
        "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
      );
    }
    if (authorization !== undefined) return parseHeaderForm(req, authorization);
    if (presigned) return parseQueryForm(params);
    return { kind: "none" };
  } catch {
    // Nothing above is expected to throw; this keeps the "never throws" promise should a
    // runtime limit (e.g. a string too long to build) be hit on hostile input.
    // Our own text, not AWS's (AWS has no equivalent).
    return incomplete("Unable to parse the request's authentication information.");
  }
}
