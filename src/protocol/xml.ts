/**
 * A small XML writer for AWS Query responses. AWS pretty-prints its Query responses: two-space
 * indentation, LF line ends, a trailing LF and no XML declaration (spec §4.1, byte-counted from a
 * raw capture). Values are written in the order the object gives them, which is the model order.
 */

export type XmlValue = string | number | boolean | Date | XmlObject | XmlList | undefined | null;
export interface XmlObject {
  readonly [element: string]: XmlValue;
}
/** A list, written as one `<member>` element per item (the Query protocol's list encoding). */
export class XmlList {
  constructor(readonly items: readonly XmlValue[]) {}
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => ESCAPES[c]!);
}
const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  "\r": "&#13;",
};

/** AWS timestamps in XML: ISO 8601 UTC to the second, e.g. 2024-09-14T08:25:05Z. */
export function awsTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function scalarText(value: string | number | boolean | Date): string {
  if (value instanceof Date) return awsTimestamp(value);
  return escapeXml(String(value));
}

function writeElement(out: string[], name: string, value: XmlValue, depth: number): void {
  if (value === undefined || value === null) return;
  const pad = "  ".repeat(depth);
  if (value instanceof XmlList) {
    if (value.items.length === 0) {
      out.push(`${pad}<${name}/>\n`);
      return;
    }
    out.push(`${pad}<${name}>\n`);
    for (const item of value.items) writeElement(out, "member", item, depth + 1);
    out.push(`${pad}</${name}>\n`);
    return;
  }
  if (typeof value === "object" && !(value instanceof Date)) {
    out.push(`${pad}<${name}>\n`);
    for (const [child, childValue] of Object.entries(value)) writeElement(out, child, childValue, depth + 1);
    out.push(`${pad}</${name}>\n`);
    return;
  }
  out.push(`${pad}<${name}>${scalarText(value)}</${name}>\n`);
}

/** The whole document: `<root xmlns="...">` + children + `</root>\n`. */
export function xmlDocument(root: string, namespace: string, children: XmlObject): string {
  const out: string[] = [`<${root} xmlns="${namespace}">\n`];
  for (const [name, value] of Object.entries(children)) writeElement(out, name, value, 1);
  out.push(`</${root}>\n`);
  return out.join("");
}
