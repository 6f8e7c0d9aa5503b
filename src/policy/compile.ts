/**
 * compilePolicy: turn a parsed document into matchers once, so that evaluating a request (on
 * every authorized call) costs set lookups and a few regular-expression tests. Statements are
 * also indexed by what their Action names, so a request only looks at the statements that can
 * apply to its action: an exact action name, a wildcard pattern under a fixed service prefix
 * ("iam:List*" under "iam"), or — always looked at — NotAction statements and patterns whose
 * service prefix is itself a wildcard ("*", "s3*:Get*").
 */
import { compileActions, compilePatterns, type ActionMatcher, type ValueMatcher } from "./match.js";
import { compileCondition, type CompiledCondition } from "./conditions.js";
import { parseResourceTemplate, type Variable } from "./variables.js";
import { anyOf, compileGlob, hasWildcard, type Glob } from "./glob.js";
import { compilePrincipals, type Grant } from "./principals.js";
import type { PolicyDocument, Statement, TrustCaller } from "./types.js";

export interface CompiledStatement {
  readonly statement: Statement;
  readonly deny: boolean;
  readonly notAction: boolean;
  readonly actions: ActionMatcher;
  readonly notResource: boolean;
  readonly resources: ValueMatcher;
  /** Policy variables in the Resource / NotResource entries. */
  readonly resourceVariables: readonly Variable[];
  readonly conditions: readonly CompiledCondition[];
  /** A trust policy's Principal: what the statement grants a caller, undefined when it does not name it. */
  readonly principals?: (caller: TrustCaller) => Grant | undefined;
}

export interface CompiledPolicy {
  readonly document: PolicyDocument;
  readonly statements: readonly CompiledStatement[];
  /** Lower-cased exact action → statements (indices, ascending) that name it. */
  readonly byAction: ReadonlyMap<string, readonly number[]>;
  /**
   * Lower-cased service prefix → statements with a wildcard action under that prefix, and one
   * expression of all those wildcards, so an action none of them matches costs a single test.
   */
  readonly byService: ReadonlyMap<string, { readonly statements: readonly number[]; readonly filter: Glob }>;
  /** Statements to look at for every action. */
  readonly always: readonly number[];
}

/** Variables are substituted only under this Version (spec §1.3). */
export const VARIABLES_VERSION = "2012-10-17";

const ANY_RESOURCE: ValueMatcher = () => true;

export function compilePolicy(doc: PolicyDocument): CompiledPolicy {
  const substitute = doc.version === VARIABLES_VERSION;
  const byAction = new Map<string, number[]>();
  const serviceStatements = new Map<string, number[]>();
  const serviceSources = new Map<string, Glob[]>();
  const always: number[] = [];
  const append = <T>(map: Map<string, T[]>, key: string, ...items: T[]): void => {
    const list = map.get(key);
    if (list === undefined) map.set(key, items);
    else list.push(...items);
  };
  // Statements are visited in order, so a list only ever needs the last index checked.
  const add = (map: Map<string, number[]>, key: string, index: number): void => {
    if (map.get(key)?.at(-1) !== index) append(map, key, index);
  };

  const statements = doc.statements.map((statement, index): CompiledStatement => {
    const notAction = statement.action === undefined;
    const actionPatterns = statement.action ?? statement.notAction ?? [];
    // A trust statement has neither Resource nor NotResource: it applies to any resource (the role).
    const anyResource = statement.resource === undefined && statement.notResource === undefined;
    const notResource = statement.notResource !== undefined;
    const templates = (statement.resource ?? statement.notResource ?? []).map((r) => parseResourceTemplate(r, substitute));

    if (notAction) always.push(index);
    else {
      // Wildcard sources of this statement by service; any wildcard service puts it in `always`.
      const services = new Map<string, Glob[]>();
      let anyService = false;
      for (const pattern of actionPatterns) {
        const lower = pattern.toLowerCase();
        const colon = lower.indexOf(":");
        const service = colon < 0 ? lower : lower.slice(0, colon);
        if (!hasWildcard(lower)) add(byAction, lower, index);
        else if (colon < 0 || hasWildcard(service)) anyService = true;
        else append(services, service, compileGlob([{ text: lower, literal: false }]));
      }
      if (anyService) always.push(index);
      else {
        for (const [service, globs] of services) {
          add(serviceStatements, service, index);
          append(serviceSources, service, ...globs);
        }
      }
    }

    return {
      statement,
      deny: statement.effect === "Deny",
      notAction,
      actions: compileActions(actionPatterns),
      notResource,
      resources: anyResource ? ANY_RESOURCE : compilePatterns(templates, false),
      resourceVariables: templates.flatMap((t) => t.variables),
      conditions: statement.conditions.map((c) => compileCondition(c, substitute)),
      ...(statement.principal !== undefined ? { principals: compilePrincipals(statement.principal) } : {}),
    };
  });
  const byService = new Map([...serviceStatements].map(([service, list]) => [service, { statements: list, filter: anyOf(serviceSources.get(service)!) }]));
  return { document: doc, statements, byAction, byService, always };
}
