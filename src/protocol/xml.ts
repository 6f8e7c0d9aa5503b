/**
 * A small XML writer for AWS Query responses. AWS pretty-prints its Query responses: two-space
 * indentation, LF line ends, a trailing LF and no XML declaration (spec §4.1, byte-counted from a
 * raw capture). Values are written in the order the object gives them, which is the model order.
 */

export type XmlValue = string | number | boolean | Date | XmlObject | XmlList | undefined | null;
export interface XmlObject {
  readonly [element: string]: XmlValue;
}
/**
 * A list, written as one `<member>` element per item (the Query protocol's list encoding), or
 * with another element name per item (S3's `<Buckets><Bucket>…`).
 */
export class XmlList {
  constructor(
    readonly items: readonly XmlValue[],
    readonly member: string = "member",
    /** S3's flattened lists: each item is an element of the list's own name, with no wrapper (`<Contents>…</Contents><Contents>…`). */
    readonly flattened: boolean = false,
  ) {}
}

export function escapeXml(text: string): string {
  if (!NEEDS_ESCAPING.test(text)) return text; // most values: no new string
  return text.replace(/[&<>"'\r]/g, (c) => ESCAPES[c]!);
}
const NEEDS_ESCAPING = /[&<>"'\r]/;
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

/** Indentation by depth; documents are shallow, so a few levels cover every response. */
const PADS = Array.from({ length: 8 }, (_, depth) => "  ".repeat(depth));
const padOf = (depth: number): string => PADS[depth] ?? "  ".repeat(depth);

/**
 * How a document is laid out: the Query protocol's indented lines, or S3's one line (s3-spec
 * §2.1: S3 writes its documents without white space between elements).
 */
interface Layout {
  pad(depth: number): string;
  readonly nl: string;
}
const PRETTY: Layout = { pad: padOf, nl: "\n" };
const COMPACT: Layout = { pad: () => "", nl: "" };

/** One element and its children as text (strings are concatenated: cheaper than parts + join). */
function element(name: string, value: XmlValue, depth: number, layout: Layout): string {
  if (value === undefined || value === null) return "";
  const pad = layout.pad(depth);
  const nl = layout.nl;
  if (value instanceof XmlList) {
    if (value.flattened) {
      let text = "";
      for (const item of value.items) text += element(name, item, depth, layout);
      return text;
    }
    if (value.items.length === 0) return `${pad}<${name}/>${nl}`;
    let text = `${pad}<${name}>${nl}`;
    for (const item of value.items) text += element(value.member, item, depth + 1, layout);
    return `${text}${pad}</${name}>${nl}`;
  }
  if (typeof value === "object" && !(value instanceof Date)) {
    return `${pad}<${name}>${nl}${children(value, depth + 1, layout)}${pad}</${name}>${nl}`;
  }
  return `${pad}<${name}>${scalarText(value)}</${name}>${nl}`;
}

function children(object: XmlObject, depth: number, layout: Layout): string {
  let text = "";
  for (const name in object) text += element(name, object[name], depth, layout);
  return text;
}

/** The whole document: `<root xmlns="...">` + children + `</root>\n`. */
export function xmlDocument(root: string, namespace: string, content: XmlObject): string {
  return `<${root} xmlns="${namespace}">\n${children(content, 1, PRETTY)}</${root}>\n`;
}

/** Elements on one line, without a root: for S3's documents, which add their own declaration and root. */
export function compactElements(content: XmlObject): string {
  return children(content, 0, COMPACT);
}
