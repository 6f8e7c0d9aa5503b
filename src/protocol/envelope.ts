/**
 * The two response documents of the AWS Query protocol: an operation's result and the error
 * envelope. Byte layout per spec §3.1 and §4.1.
 */
import type { AwsError } from "../errors.js";
import { xmlDocument, type XmlObject } from "./xml.js";

export interface QueryService {
  /** Credential-scope service name: "sts" or "iam". */
  readonly name: string;
  readonly version: string;
  readonly namespace: string;
}

/** `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…` ; no Result for empty outputs. */
export function resultDocument(
  service: QueryService,
  action: string,
  result: XmlObject | undefined,
  requestId: string,
): string {
  const children: Record<string, XmlObject> = {};
  if (result !== undefined) children[`${action}Result`] = result;
  children.ResponseMetadata = { RequestId: requestId };
  return xmlDocument(`${action}Response`, service.namespace, children);
}

export function errorDocument(service: QueryService, error: AwsError, requestId: string): string {
  return xmlDocument("ErrorResponse", service.namespace, {
    Error: { Type: error.fault, Code: error.code, Message: error.message },
    RequestId: requestId,
  });
}
