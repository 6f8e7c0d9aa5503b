/**
 * Policy variables (spec §1.3): `${aws:username}` is replaced by the request's value of that
 * condition key (names case-insensitive), `${key, 'default'}` falls back to the default when the
 * key is absent, and `${*}`, `${?}`, `${$}` stand for the literal characters. Substituted text is
 * literal: a `*` in a user name is not a wildcard.
 *
 * Variables exist only under Version 2012-10-17 (under 2008-10-17 or with no Version the text is
 * literal), only in the resource part of a Resource / NotResource entry (after the fifth colon)
 * and in values of String* and Arn* condition operators. The caller says which applies.
 *
 * A variable whose key is absent and that has no default has "effectively null" value: the
 * template then resolves to nothing, and the caller decides what that means (a Resource entry
 * matches no resource, StringEquals matches nothing, StringNotEquals matches).
 */
import type { Piece } from "./glob.js";
import type { RequestContext } from "./types.js";

export interface Variable {
  /** As written, e.g. "aws:PrincipalTag/team"; reported as a missing context key. */
  readonly key: string;
  /** Lower case, as request contexts key their values. */
  readonly lookup: string;
  readonly fallback: string | undefined;
}

export type TemplatePart = Piece | Variable;

export interface Template {
  readonly parts: readonly TemplatePart[];
  readonly variables: readonly Variable[];
}

const SPECIAL: Readonly<Record<string, string>> = { "${*}": "*", "${?}": "?", "${$}": "$" };
/** `${key}` or `${key, 'default'}`: a key holds no `}`, `,` or `'`; spaces around the comma are allowed. */
const VARIABLE = /\$\{\s*([^\s},']+(?:\s+[^\s},']+)*)\s*(?:,\s*'([^']*)'\s*)?\}/y;

export const isVariable = (part: TemplatePart): part is Variable => "lookup" in part;

/** Parses `text`; with substitute false (no 2012-10-17 Version) the whole text is pattern text. */
export function parseTemplate(text: string, substitute: boolean): Template {
  if (!substitute || !text.includes("${")) return { parts: [{ text, literal: false }], variables: [] };
  const parts: TemplatePart[] = [];
  const variables: Variable[] = [];
  let textStart = 0;
  const flush = (end: number): void => {
    if (end > textStart) parts.push({ text: text.slice(textStart, end), literal: false });
  };
  for (let at = text.indexOf("${"); at >= 0; at = text.indexOf("${", at)) {
    const special = SPECIAL[text.slice(at, at + 4)];
    if (special !== undefined) {
      flush(at);
      parts.push({ text: special, literal: true });
      at += 4;
      textStart = at;
      continue;
    }
    VARIABLE.lastIndex = at;
    const m = VARIABLE.exec(text);
    if (m === null) {
      at += 2; // not a variable: "${" stays as text
      continue;
    }
    flush(at);
    const variable: Variable = { key: m[1]!, lookup: m[1]!.toLowerCase(), fallback: m[2] };
    parts.push(variable);
    variables.push(variable);
    at += m[0].length;
    textStart = at;
  }
  flush(text.length);
  return { parts, variables };
}

/** A Resource / NotResource entry: variables only after the fifth colon. */
export function parseResourceTemplate(text: string, substitute: boolean): Template {
  let fifth = -1;
  for (let i = 0; i < 5; i++) {
    fifth = text.indexOf(":", fifth + 1);
    if (fifth < 0) return parseTemplate(text, false);
  }
  const head = text.slice(0, fifth + 1);
  const tail = parseTemplate(text.slice(fifth + 1), substitute);
  return { parts: [{ text: head, literal: false }, ...tail.parts], variables: tail.variables };
}

/**
 * The value of a variable in a request, or undefined when it has none. Only single-valued keys
 * can be variables; a key with several values is treated as having none.
 */
export function variableValue(variable: Variable, context: RequestContext): string | undefined {
  const value = context.get(variable.lookup);
  if (typeof value === "string") return value;
  if (value !== undefined && value.length === 1) return value[0];
  return variable.fallback;
}

/** The template's pieces for one request, or undefined when a variable has no value. */
export function resolve(template: Template, context: RequestContext): Piece[] | undefined {
  const out: Piece[] = [];
  for (const part of template.parts) {
    if (!isVariable(part)) {
      out.push(part);
      continue;
    }
    const value = variableValue(part, context);
    if (value === undefined) return undefined;
    out.push({ text: value, literal: true });
  }
  return out;
}

/** The resolved text without any wildcard meaning (for StringEquals, …), or undefined. */
export function resolveText(template: Template, context: RequestContext): string | undefined {
  if (template.variables.length === 0) return template.parts.map((p) => (p as Piece).text).join("");
  const pieces = resolve(template, context);
  return pieces?.map((p) => p.text).join("");
}
