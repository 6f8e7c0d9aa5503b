/**
 * Policy documents at IAM's edge: validated on the way in (MalformedPolicyDocument with AWS's
 * texts, from the engine's parser; IAM's size limits), URL-encoded on the way out as IAM sends
 * every policy document (spec §7.1; botocore and the aws CLI decode them, the other SDKs don't).
 */
import { Errors } from "../errors.js";
import { parsePolicy, PolicyParseError, policySize, type PolicyDocument } from "../policy/index.js";

/**
 * Aggregate size of a user's, a group's or a role's inline policies, and of one managed policy
 * (spec §1.4; the role's LimitExceeded text is UNCONFIRMED, by analogy with the user's and group's).
 */
export const INLINE_POLICY_SIZE_LIMIT = { user: 2048, group: 5120, role: 10240 } as const;
export const MANAGED_POLICY_SIZE_LIMIT = 6144;

/** The parsed document, or AWS's MalformedPolicyDocument when IAM would refuse it. */
export function parsedPolicyDocument(text: string, options: { managed: boolean }): PolicyDocument {
  try {
    return parsePolicy(text, options);
  } catch (e) {
    if (e instanceof PolicyParseError) throw Errors.malformedPolicyDocument(e.message);
    throw e;
  }
}

/** Throws AWS's MalformedPolicyDocument when IAM would refuse the document; returns its size. */
export function checkPolicyDocument(text: string, options: { managed: boolean }): number {
  parsedPolicyDocument(text, options);
  return policySize(text);
}

/** RFC 3986 percent-encoding: everything but unreserved characters (`*` too, unlike encodeURIComponent). */
export function encodePolicyDocument(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
