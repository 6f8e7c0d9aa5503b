/**
 * contextKeysOf: every context key a document refers to — condition keys, and the keys of policy
 * variables in Resource / NotResource entries and condition values — as IAM's
 * GetContextKeysForCustomPolicy / …PrincipalPolicy list them for the simulator. Keys are
 * de-duplicated case-insensitively (the first spelling wins) and sorted.
 */
import { VARIABLES_VERSION } from "./compile.js";
import { parseOperator, takesVariables } from "./operators.js";
import { parseResourceTemplate, parseTemplate } from "./variables.js";
import type { PolicyDocument } from "./types.js";

export function contextKeysOf(doc: PolicyDocument): string[] {
  const substitute = doc.version === VARIABLES_VERSION;
  const keys = new Map<string, string>();
  const note = (key: string): void => {
    const lookup = key.toLowerCase();
    if (!keys.has(lookup)) keys.set(lookup, key);
  };
  for (const s of doc.statements) {
    for (const r of s.resource ?? s.notResource ?? []) for (const v of parseResourceTemplate(r, substitute).variables) note(v.key);
    for (const c of s.conditions) {
      note(c.key);
      const operator = parseOperator(c.operator);
      if (!substitute || operator === undefined || !takesVariables(operator.base)) continue;
      for (const value of c.values) for (const v of parseTemplate(value, true).variables) note(v.key);
    }
  }
  return [...keys.values()].sort();
}
