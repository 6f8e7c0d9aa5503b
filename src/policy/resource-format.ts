/**
 * The two checks IAM makes on each Resource / NotResource entry when a policy is written
 * (spec §1.1). They are separate because they report at different points of the check order:
 *  - `resourceFormatError`: the readable messages (not an ARN, unknown partition, missing
 *    service, region on IAM/S3, IAM path) — reported late, after missing actions/resources;
 *  - `failsLegacyArnParsing`: ARNs whose fields cannot be split ("arn:aws:s3::bucket",
 *    "arn:aws::fdsasf") — "The policy failed legacy parsing", reported early, but only when no
 *    format error was found first (case invalid-25 has both kinds and AWS names the partition).
 * The rules are inferred from the 129 AWS-validated cases in testdata; the comments say which
 * parts go beyond them.
 */
import { MESSAGES } from "./errors.js";

/**
 * UNCONFIRMED beyond "aws" (the only one in the recorded cases): the other public partitions
 * are accepted too, as an ARN of another partition is well-formed even if it never matches.
 */
const PARTITIONS = new Set(["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"]);

const IAM_PATH_PREFIXES = [
  "user/",
  "federated-user/",
  "role/",
  "group/",
  "instance-profile/",
  "mfa/",
  "server-certificate/",
  "policy/",
  "sms-mfa/",
  "saml-provider/",
  "oidc-provider/",
  "report/",
  "access-report/",
];

/** The readable error for one entry, or undefined when its format is acceptable. */
export function resourceFormatError(resource: string): string | undefined {
  if (resource === "*") return undefined;
  // Only the presence of a first colon is checked; the "arn" word itself is not (cases 21–24).
  const first = resource.indexOf(":");
  if (first < 0) return MESSAGES.notArn(resource);
  const fields = resource.slice(first + 1).split(":");
  const partition = fields[0]!;
  if (!PARTITIONS.has(partition)) return MESSAGES.partition(partition, paddedArn(partition, fields.slice(1)));
  // "arn:aws" names no service at all. UNCONFIRMED: whether a wildcard in the service field
  // ("cannot contain regexes") is also refused; no recorded case has one, so it is accepted.
  if (fields.length < 2) return MESSAGES.resourceVendor;
  const [, service = "", region = "", account = ""] = fields;
  if (service === "iam") {
    if (region !== "") return MESSAGES.iamRegion(resource);
    const path = fields.slice(4).join(":");
    // Read literally from AWS's message: exactly "*" or "root", or one of the prefixes.
    if (path !== "*" && path !== "root" && !IAM_PATH_PREFIXES.some((p) => path.startsWith(p))) return MESSAGES.iamPath;
  }
  // S3 refuses a region for buckets and objects (case invalid-56) but accepted an access point,
  // which has both a region and an account (valid-50). UNCONFIRMED inference: refused only when
  // the account field is empty.
  if (service === "s3" && region !== "" && account === "") return MESSAGES.s3Region(resource);
  return undefined;
}

/**
 * The ARN shown in a partition error: "arn", the partition, then the remaining fields with
 * absent ones written as "*" and any beyond the sixth joined back with colons
 * ("a:bsdfdsafsad" → "arn:bsdfdsafsad:*:*:*:*", "aws:s3:::example_bucket" → "arn:s3:::example_bucket:*").
 */
function paddedArn(partition: string, rest: readonly string[]): string {
  const service = rest.length === 0 || (rest.length === 1 && rest[0] === "") ? "*" : rest[0]!;
  const region = rest[1] ?? "*";
  const account = rest[2] ?? "*";
  const resource = rest.length > 3 ? rest.slice(3).join(":") : "*";
  return `arn:${partition}:${service}:${region}:${account}:${resource}`;
}

/**
 * True for entries the old ARN parser cannot split: fewer than five colons while two of them
 * are adjacent ("arn:aws:s3::example_bucket", "arn:aws::fdsasf"), or an empty service field
 * ("arn:aws::::example_bucket"). "arn:aws:fdsasf" (no empty field) is accepted (valid-9).
 */
export function failsLegacyArnParsing(resource: string): boolean {
  if (resource === "*") return false;
  const fields = resource.split(":");
  if (fields.length < 6 && resource.includes("::")) return true;
  return fields.length > 2 && fields[2] === "";
}
