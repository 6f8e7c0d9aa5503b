/**
 * parsePolicy: read and validate an identity-based policy document as IAM's CreatePolicy
 * (managed) and PutUserPolicy / PutGroupPolicy (inline) do, and return it in the engine's shape.
 *
 * IAM reports one problem per document, and which one depends on an order of checks inferred
 * from the AWS-validated cases (spec §1.1):
 *   1. JSON and structure          → "Syntax errors in policy."
 *   2. Version (managed policies)  → "Policy document must be version 2012-10-17 or greater."
 *   3. Principal / NotPrincipal    → "Policy document should not specify a principal."
 *   4. legacy parsing: Effect case, Date values, unsplittable ARNs → "The policy failed legacy parsing"
 *   5. Sid uniqueness, 6. missing actions, 7. missing resources,
 *   8. resource formats, 9. action vendors and colons.
 * Step 3's place is UNCONFIRMED (no recorded case combines it with another error).
 *
 * The character set (U+0009, U+000A, U+000D, U+0020–U+00FF) is NOT checked here: it is the
 * IAM model's pattern for the PolicyDocument parameter, so AWS refuses other characters with a
 * ValidationError before the document is read, and protocol/ already validates parameters
 * against the model (see also `hasPolicyCharacters` in size.ts).
 */
import { MESSAGES, PolicyParseError } from "./errors.js";
import { readJson, type JsonNode, type JsonObject } from "./json.js";
import { parseOperator } from "./operators.js";
import { parsePolicyDate } from "./dates.js";
import { bracePosition, lineStarts } from "./position.js";
import { failsLegacyArnParsing, resourceFormatError } from "./resource-format.js";
import type { ConditionClause, Effect, PolicyDocument, Statement } from "./types.js";

export interface ParseOptions {
  /** true: CreatePolicy / CreatePolicyVersion; false: an inline policy (Put*Policy). */
  readonly managed: boolean;
}

const CURRENT_VERSION = "2012-10-17";
const VERSIONS = new Set([CURRENT_VERSION, "2008-10-17"]);
const TOP_LEVEL = new Set(["Version", "Id", "Statement"]);
const STATEMENT_KEYS = new Set(["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"]);

/**
 * A statement that passed the structure check, before the later checks. Shared with
 * parseTrustPolicy (trust.ts), which reads the same grammar and makes its own later checks.
 */
export interface Draft {
  readonly node: JsonObject;
  readonly sid: string | undefined;
  /** As written: "allow" passes the structure check and fails legacy parsing. */
  readonly effect: string;
  /** As written; their shape (a string, or an object of strings / string lists) is checked. */
  readonly principal: JsonNode | undefined;
  readonly notPrincipal: JsonNode | undefined;
  readonly action: string[] | undefined;
  readonly notAction: string[] | undefined;
  readonly resource: string[] | undefined;
  readonly notResource: string[] | undefined;
  readonly conditions: ConditionClause[];
}

export function parsePolicy(text: string, options: ParseOptions): PolicyDocument {
  const root = readJson(text);
  const doc = root === undefined ? undefined : readDocument(root);
  if (doc === undefined) throw new PolicyParseError(MESSAGES.syntax);
  const { version, drafts } = doc;

  // UNCONFIRMED for inline policies (spec §11.1): AWS is only recorded refusing a missing or
  // 2008-10-17 Version for managed policies. Inline ones are accepted, and then policy
  // variables are literal text, as the Version element's documentation says.
  if (options.managed && version !== CURRENT_VERSION) throw new PolicyParseError(MESSAGES.version);
  if (drafts.some((d) => d.principal !== undefined || d.notPrincipal !== undefined)) throw new PolicyParseError(MESSAGES.principal);

  // Resource format errors are needed by both step 4 and step 8; the first one in document order
  // (and within a statement, in sorted order: see firstResourceError) is reported.
  let resourceError: string | undefined;
  for (const d of drafts) {
    if (failsLegacyParsing(d)) throw new PolicyParseError(MESSAGES.legacy);
    resourceError ??= firstResourceError(d.resource ?? d.notResource ?? []);
    if (resourceError === undefined && (d.resource ?? d.notResource ?? []).some(failsLegacyArnParsing)) {
      throw new PolicyParseError(MESSAGES.legacy);
    }
  }

  checkSidsUnique(drafts);
  if (drafts.some((d) => (d.action ?? d.notAction ?? []).length === 0)) throw new PolicyParseError(MESSAGES.noActions);
  if (drafts.some((d) => (d.resource ?? d.notResource ?? []).length === 0)) throw new PolicyParseError(MESSAGES.noResources);
  if (resourceError !== undefined) throw new PolicyParseError(resourceError);
  for (const d of drafts) {
    for (const action of d.action ?? d.notAction ?? []) {
      const error = actionError(action);
      if (error !== undefined) throw new PolicyParseError(error);
    }
  }

  const starts = lineStarts(text);
  return { version, statements: drafts.map((d) => toStatement(d, starts)) };
}

/** Step 4's checks that are not about resources: Effect spelled in another case, unreadable Date values. */
export function failsLegacyParsing(d: Draft): boolean {
  if (d.effect !== "Allow" && d.effect !== "Deny") return true;
  return d.conditions.some((c) => parseOperator(c.operator)?.base.family === "date" && c.values.some((v) => parsePolicyDate(v) === undefined));
}

/** Step 5. */
export function checkSidsUnique(drafts: readonly Draft[]): void {
  const sids = new Set<string>();
  for (const { sid } of drafts) {
    if (sid === undefined || sid === "") continue; // two empty Sids were accepted (valid-49)
    if (sids.has(sid)) throw new PolicyParseError(MESSAGES.sidUnique);
    sids.add(sid);
  }
}

/** A validated draft in the engine's shape; `extra` adds what only some documents have (a trust policy's Principal). */
export function toStatement(d: Draft, starts: readonly number[], extra: Partial<Pick<Statement, "principal">> = {}): Statement {
  return {
    sid: d.sid,
    effect: d.effect as Effect,
    ...extra,
    ...(d.action !== undefined ? { action: d.action } : { notAction: d.notAction! }),
    ...(d.resource !== undefined ? { resource: d.resource } : d.notResource !== undefined ? { notResource: d.notResource } : {}),
    conditions: d.conditions,
    start: bracePosition(starts, d.node.open),
    end: bracePosition(starts, d.node.close),
  };
}

/**
 * Several bad entries in one statement: AWS named the one that sorts first
 * (invalid-25: "arn:error:s3:::example_bucket" before "arn:error:s3::example_bucket").
 */
function firstResourceError(resources: readonly string[]): string | undefined {
  const sorted = resources.length > 1 ? [...resources].sort() : resources;
  for (const r of sorted) {
    const error = resourceFormatError(r);
    if (error !== undefined) return error;
  }
  return undefined;
}

/**
 * "*" alone, or vendor:name. Names are free text (valid-1: "iam: asdf safdsf af "); vendors take
 * letters, digits, "-" and "." (valid-26/27), or are exactly "*" ("*:Describe*"). UNCONFIRMED
 * beyond the recorded cases: other vendor characters ("s3*", "_") get the vendor message.
 */
function actionError(action: string): string | undefined {
  if (action === "*") return undefined;
  const parts = action.split(":");
  if (parts.length === 1) return MESSAGES.actionVendor;
  if (parts.length > 2) return MESSAGES.actionColon;
  const vendor = parts[0]!;
  return vendor === "*" || /^[A-Za-z0-9.-]+$/.test(vendor) ? undefined : MESSAGES.badVendor(vendor);
}

// ---- step 1: structure ------------------------------------------------------------------------

export function readDocument(root: JsonNode): { version: string | undefined; drafts: Draft[] } | undefined {
  if (root.kind !== "object") return undefined;
  const m = root.members;
  for (const key of m.keys()) if (!TOP_LEVEL.has(key)) return undefined;
  const version = m.get("Version");
  if (version !== undefined && (version.kind !== "string" || !VERSIONS.has(version.value))) return undefined;
  // The grammar says Id must not be in identity-based policies, but CreatePolicy accepted one (valid-24).
  const id = m.get("Id");
  if (id !== undefined && id.kind !== "string") return undefined;
  const statement = m.get("Statement");
  if (statement === undefined) return undefined;
  const nodes = statement.kind === "array" ? statement.items : [statement];
  if (nodes.length === 0) return undefined;
  const drafts: Draft[] = [];
  for (const node of nodes) {
    const draft = node.kind === "object" ? readStatement(node) : undefined;
    if (draft === undefined) return undefined;
    drafts.push(draft);
  }
  return { version: version?.kind === "string" ? version.value : undefined, drafts };
}

function readStatement(node: JsonObject): Draft | undefined {
  const m = node.members;
  for (const key of m.keys()) if (!STATEMENT_KEYS.has(key)) return undefined;
  if ((m.has("Action") && m.has("NotAction")) || (m.has("Resource") && m.has("NotResource"))) return undefined;

  const sid = m.get("Sid");
  if (sid !== undefined && sid.kind !== "string") return undefined;
  // "invalid" is a syntax error; "allow" passes here and fails legacy parsing (spec §1.1).
  const effect = m.get("Effect");
  if (effect?.kind !== "string" || !["allow", "deny"].includes(effect.value.toLowerCase())) return undefined;
  for (const key of ["Principal", "NotPrincipal"]) {
    const principal = m.get(key);
    if (principal !== undefined && !isPrincipal(principal)) return undefined;
  }

  const lists: Partial<Record<"Action" | "NotAction" | "Resource" | "NotResource", string[]>> = {};
  for (const key of ["Action", "NotAction", "Resource", "NotResource"] as const) {
    const value = m.get(key);
    if (value === undefined) continue;
    const list = stringOrList(value);
    if (list === undefined) return undefined;
    lists[key] = list;
  }

  const condition = m.get("Condition");
  const conditions = condition === undefined ? [] : readConditions(condition);
  if (conditions === undefined) return undefined;

  return {
    node,
    sid: sid?.kind === "string" ? sid.value : undefined,
    effect: effect.value,
    principal: m.get("Principal"),
    notPrincipal: m.get("NotPrincipal"),
    action: lists.Action,
    notAction: lists.NotAction,
    resource: lists.Resource,
    notResource: lists.NotResource,
    conditions,
  };
}

export function stringOrList(node: JsonNode): string[] | undefined {
  if (node.kind === "string") return [node.value];
  if (node.kind !== "array") return undefined;
  const out: string[] = [];
  for (const item of node.items) {
    if (item.kind !== "string") return undefined;
    out.push(item.value);
  }
  return out;
}

/** "*", or { "AWS" | "Service" | …: string or strings }: only the shape is checked here (trust.ts reads the values). */
function isPrincipal(node: JsonNode): boolean {
  if (node.kind === "string") return true;
  return node.kind === "object" && [...node.members.values()].every((v) => stringOrList(v) !== undefined);
}

/**
 * { operator: { key: value or [values] } }. Values may be JSON strings, numbers or booleans
 * ("Quotation marks are optional for numeric and Boolean values"); they are kept as strings.
 * An unknown operator is a syntax error unless its key map is empty (valid-19, valid-31).
 */
function readConditions(node: JsonNode): ConditionClause[] | undefined {
  if (node.kind !== "object") return undefined;
  const clauses: ConditionClause[] = [];
  for (const [operator, keys] of node.members) {
    if (keys.kind !== "object") return undefined;
    if (keys.members.size > 0 && parseOperator(operator) === undefined) return undefined;
    for (const [key, value] of keys.members) {
      const values = scalarOrList(value);
      if (values === undefined) return undefined;
      clauses.push({ operator, key, values });
    }
  }
  return clauses;
}

function scalarOrList(node: JsonNode): string[] | undefined {
  const scalar = (n: JsonNode): string | undefined =>
    n.kind === "string" ? n.value : n.kind === "number" ? n.text : n.kind === "boolean" ? String(n.value) : undefined;
  if (node.kind !== "array") {
    const one = scalar(node);
    return one === undefined ? undefined : [one];
  }
  const out: string[] = [];
  for (const item of node.items) {
    const one = scalar(item);
    if (one === undefined) return undefined;
    out.push(one);
  }
  return out;
}
