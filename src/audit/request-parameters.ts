/**
 * CloudTrail's `requestParameters`: the operation's input with camelCase member names
 * (`userName`, `serialNumber`, `durationSeconds`, `tags: [{ key, value }]`), secrets replaced by
 * CloudTrail's placeholder. For S3, the bucket, the key, the Host header and the query parameters,
 * as CloudTrail writes S3's (`bucketName`, `key`, `Host`, `list-type`, …).
 */
import type { Input, StructInput } from "../protocol/shapes.js";
import type { S3Address } from "./observed-request.js";
import { HIDDEN, isSecretName } from "./redaction.js";

export type Parameters = Record<string, unknown>;

/** The wire name with a lower-case first letter, as AWS's own messages and CloudTrail name members. */
const memberName = (wire: string): string => wire.charAt(0).toLowerCase() + wire.slice(1);

function struct(value: StructInput): Parameters {
  const out: Parameters = {};
  for (const [wire, member] of Object.entries(value)) {
    if (member !== undefined) out[memberName(wire)] = isSecretName(wire) ? HIDDEN : member;
  }
  return out;
}

/** null when the operation takes nothing, or when the request failed before its input was read. */
export function queryRequestParameters(input: Input | undefined): Parameters | null {
  if (input === undefined) return null;
  const out: Parameters = {};
  for (const [wire, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (isSecretName(wire)) out[memberName(wire)] = HIDDEN;
    else if (Array.isArray(value)) out[memberName(wire)] = value.map((item: string | StructInput) => (typeof item === "string" ? item : struct(item)));
    else out[memberName(wire)] = value;
  }
  return Object.keys(out).length === 0 ? null : out;
}

export function s3RequestParameters(address: S3Address): Parameters {
  const out: Parameters = {};
  if (address.bucket !== undefined) out.bucketName = address.bucket;
  if (address.host !== undefined) out.Host = address.host;
  if (address.key !== undefined) out.key = address.key;
  for (const [name, value] of address.query) out[name] = isSecretName(name) ? HIDDEN : value;
  return out;
}
