/**
 * Policy size and character set (spec §1.4). IAM's quotas (2,048 characters of inline policy per
 * user, 6,144 per managed policy, …) are counted "without white space". Which characters count
 * as white space is not documented; we take JSON's four plus VT and FF (Java's \s), the only
 * white space the allowed character set contains. The caller compares the count with its quota
 * and answers with its own LimitExceeded text.
 */

const WHITE_SPACE = /[ \t\n\r\v\f]/g;

/** Characters IAM counts against the size quotas: every character except white space. */
export function policySize(text: string): number {
  return text.length - (text.match(WHITE_SPACE)?.length ?? 0);
}

/**
 * The IAM model's pattern for every policy document parameter (min length 1). AWS refuses other
 * characters with a ValidationError naming this pattern, before reading the document, so
 * parsePolicy does not check it; this is for callers that do not validate against the model.
 */
export const POLICY_CHARACTERS = /^[\u0009\u000A\u000D\u0020-\u00FF]+$/;

export const hasPolicyCharacters = (text: string): boolean => POLICY_CHARACTERS.test(text);
