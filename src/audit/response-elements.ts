/**
 * CloudTrail's `responseElements`: what a changing call answered, camelCased (`user`,
 * `accessKey`, `virtualMFADevice`, `credentials`), never a secret: CreateAccessKey's secret,
 * CreateVirtualMFADevice's seed and QR code, GetSessionToken's and AssumeRole's secret and session
 * token are left out (so a session's record keeps `credentials.accessKeyId` and `expiration`).
 * Lookups (Get*, List*, …) record none, as CloudTrail; the calls that issue credentials do.
 * Timestamps are ISO 8601 to the second (CloudTrail prints IAM's in a locale format such as
 * `Jul 20, 2023, 9:11:57 AM`; ours is the one its own eventTime uses).
 */
import { XmlList, type XmlObject, type XmlValue } from "../protocol/xml.js";
import { isSecretName } from "./redaction.js";
import { isoSeconds } from "./time.js";

const ISSUES_CREDENTIALS: ReadonlySet<string> = new Set(["GetSessionToken", "AssumeRole"]);

/** Lookups change nothing. CloudTrail marks AssumeRole read-only as well (UNCONFIRMED for this server's other STS calls: they follow Get*). */
export const isReadOnly = (operation: string): boolean => /^(Get|List|Head|Simulate|Describe)/.test(operation) || operation === "AssumeRole";

const memberName = (element: string): string => element.charAt(0).toLowerCase() + element.slice(1);

function plain(value: XmlValue): unknown {
  if (value instanceof Date) return isoSeconds(value.getTime());
  if (value instanceof XmlList) return value.items.map(plain).filter((v) => v !== undefined);
  if (typeof value === "object" && value !== null) return object(value);
  return value ?? undefined;
}

function object(content: XmlObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [element, value] of Object.entries(content)) {
    if (isSecretName(element)) continue;
    const converted = plain(value);
    if (converted !== undefined) out[memberName(element)] = converted;
  }
  return out;
}

export function responseElements(operation: string, result: XmlObject | undefined): Record<string, unknown> | null {
  if (result === undefined || (isReadOnly(operation) && !ISSUES_CREDENTIALS.has(operation))) return null;
  const out = object(result);
  return Object.keys(out).length === 0 ? null : out;
}
