/**
 * parseTrustPolicy: read and validate a role's trust policy (CreateRole's
 * AssumeRolePolicyDocument, UpdateAssumeRolePolicy's PolicyDocument) as IAM does. It reads the
 * same statement grammar as identity policies (parse.ts: structure, Effect, Sid, Condition) and
 * differs where a trust policy differs (assume-role-spec §4.2, §7.3):
 *   1. not JSON                              → "This policy contains invalid Json"
 *   2. structure                             → "Syntax errors in policy."
 *   3. a statement without Principal         → "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: …"
 *   4. legacy parsing (Effect case, dates)   → "The policy failed legacy parsing"
 *   5. Sid uniqueness
 *   6. Resource / NotResource / NotPrincipal → "Has prohibited field Resource"
 *   7. missing actions → "Policy statement must contain actions."; others than STS assume actions
 *                                            → "AssumeRole policy may only specify STS AssumeRole actions."
 *   8. principal values                      → `Invalid principal in policy: "AWS":"<value>"`
 * The texts of 1, 3, 6 (Resource), 7 and 8 (AWS, SERVICE) are AWS's; the order of 3–8 beyond the
 * brief's recorded cases, and the texts of 2 and 6 (NotResource, NotPrincipal) for trust
 * policies, are UNCONFIRMED.
 *
 * Version: trust policies keep "2008-10-17" (IAM's own ListRoles example) and may omit it; under
 * either, policy variables in conditions are literal text, as in identity policies.
 *
 * NotPrincipal: "You cannot use the NotPrincipal element in an IAM identity-based policy nor in
 * an IAM role trust policy" (IAM User Guide, NotPrincipal): refused like Resource.
 */
import { MESSAGES, PolicyParseError, TRUST_MESSAGES } from "./errors.js";
import { readJson, type JsonNode } from "./json.js";
import { checkSidsUnique, failsLegacyParsing, readDocument, stringOrList, toStatement } from "./parse.js";
import { isValidPrincipal, invalidPrincipalMessage, PRINCIPAL_KEYS, type PrincipalKey } from "./principals.js";
import { lineStarts } from "./position.js";
import { isTrustAction } from "./trust-actions.js";
import type { PolicyDocument, Principals } from "./types.js";

export function parseTrustPolicy(text: string): PolicyDocument {
  const root = readJson(text);
  if (root === undefined) throw new PolicyParseError(TRUST_MESSAGES.invalidJson);
  const doc = readDocument(root);
  if (doc === undefined) throw new PolicyParseError(MESSAGES.syntax);
  const { version, drafts } = doc;

  if (drafts.some((d) => d.principal === undefined && d.notPrincipal === undefined) || drafts.some((d) => d.principal !== undefined && namesNobody(d.principal))) {
    throw new PolicyParseError(TRUST_MESSAGES.noPrincipals);
  }
  if (drafts.some(failsLegacyParsing)) throw new PolicyParseError(MESSAGES.legacy);
  checkSidsUnique(drafts);
  for (const d of drafts) {
    const prohibited = d.resource !== undefined ? "Resource" : d.notResource !== undefined ? "NotResource" : d.notPrincipal !== undefined ? "NotPrincipal" : undefined;
    if (prohibited !== undefined) throw new PolicyParseError(TRUST_MESSAGES.prohibitedField(prohibited));
  }
  if (drafts.some((d) => (d.action ?? d.notAction ?? []).length === 0)) throw new PolicyParseError(MESSAGES.noActions);
  // NotAction would name every action but the listed ones, which is more than the assume actions.
  if (drafts.some((d) => d.action === undefined || !d.action.every(isTrustAction))) throw new PolicyParseError(TRUST_MESSAGES.actions);

  const principals = drafts.map((d) => readPrincipals(d.principal!));
  const starts = lineStarts(text);
  return { version, statements: drafts.map((d, i) => toStatement(d, starts, { principal: principals[i]! })) };
}

/** `{}` or `{"AWS": []}`: a Principal element that names no one counts as none (UNCONFIRMED). */
function namesNobody(node: JsonNode): boolean {
  return node.kind === "object" && [...node.members.values()].every((v) => v.kind === "array" && v.items.length === 0);
}

/** Step 8: the values, checked in document order. */
function readPrincipals(node: JsonNode): Principals {
  // A bare string passed the structure check; only "*" has a recorded answer.
  if (node.kind === "string") throw new PolicyParseError(node.value === "*" ? TRUST_MESSAGES.star : MESSAGES.syntax);
  const out: Principals = { aws: [], service: [], federated: [], canonicalUser: [] };
  if (node.kind !== "object") throw new PolicyParseError(MESSAGES.syntax); // unreachable: parse.ts checked the shape
  for (const [key, valueNode] of node.members) {
    const values = stringOrList(valueNode) ?? [];
    const known = Object.hasOwn(PRINCIPAL_KEYS, key) ? (key as PrincipalKey) : undefined;
    for (const value of values) {
      // UNCONFIRMED: an unknown key ("Foo") is reported like a bad value under it.
      if (known === undefined || !isValidPrincipal(known, value)) throw new PolicyParseError(invalidPrincipalMessage(key, value));
    }
    if (known !== undefined) (out[PRINCIPAL_KEYS[known]] as string[]).push(...values);
  }
  return out;
}

/**
 * The principals a parsed trust policy names, each list de-duplicated in document order, for
 * the IAM API to check that the users, roles and accounts named exist (AWS refuses
 * `Invalid principal in policy: "AWS":"<arn>"` for one that does not). `aws` holds the values as
 * written: "*", account ids, root / user / role / assumed-role / federated-user ARNs.
 */
export function trustPolicyPrincipals(doc: PolicyDocument): { aws: string[]; service: string[]; federated: string[] } {
  const aws = new Set<string>();
  const service = new Set<string>();
  const federated = new Set<string>();
  for (const { principal } of doc.statements) {
    if (principal === undefined) continue;
    for (const v of principal.aws) aws.add(v);
    for (const v of principal.service) service.add(v);
    for (const v of principal.federated) federated.add(v);
  }
  return { aws: [...aws], service: [...service], federated: [...federated] };
}

