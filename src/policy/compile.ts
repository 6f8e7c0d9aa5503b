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
import { hasWildcard } from "./glob.js";
import type { PolicyDocument, Statement } from "./types.js";

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
}

export interface CompiledPolicy {
  readonly document: PolicyDocument;
  readonly statements: readonly CompiledStatement[];
  /** Lower-cased exact action → statements (indices, ascending) that name it. */
  readonly byAction: ReadonlyMap<string, readonly number[]>;
  /** Lower-cased service prefix → statements with a wildcard action under that prefix. */
  readonly byService: ReadonlyMap<string, readonly number[]>;
  /** Statements to look at for every action. */
  readonly always: readonly number[];
}

/** Variables are substituted only under this Version (spec §1.3). */
export const VARIABLES_VERSION = "2012-10-17";

export function compilePolicy(doc: PolicyDocument): CompiledPolicy {
  const substitute = doc.version === VARIABLES_VERSION;
  const byAction = new Map<string, number[]>();
  const byService = new Map<string, number[]>();
  const always: number[] = [];
  const add = (map: Map<string, number[]>, key: string, index: number): void => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [index]);
    else if (list[list.length - 1] !== index) list.push(index);
  };

  const statements = doc.statements.map((statement, index): CompiledStatement => {
    const notAction = statement.action === undefined;
    const actionPatterns = statement.action ?? statement.notAction ?? [];
    const notResource = statement.resource === undefined;
    const templates = (statement.resource ?? statement.notResource ?? []).map((r) => parseResourceTemplate(r, substitute));

    if (notAction) always.push(index);
    else {
      const services = new Set<string>();
      let anyService = false;
      for (const pattern of actionPatterns) {
        const lower = pattern.toLowerCase();
        const colon = lower.indexOf(":");
        const service = colon < 0 ? lower : lower.slice(0, colon);
        if (!hasWildcard(lower)) add(byAction, lower, index);
        else if (colon < 0 || hasWildcard(service)) anyService = true;
        else services.add(service);
      }
      if (anyService) always.push(index);
      else for (const service of services) add(byService, service, index);
    }

    return {
      statement,
      deny: statement.effect === "Deny",
      notAction,
      actions: compileActions(actionPatterns),
      notResource,
      resources: compilePatterns(templates, false),
      resourceVariables: templates.flatMap((t) => t.variables),
      conditions: statement.conditions.map((c) => compileCondition(c, substitute)),
    };
  });
  return { document: doc, statements, byAction, byService, always };
}
