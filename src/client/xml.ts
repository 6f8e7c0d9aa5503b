/**
 * A minimal XML reader for AWS Query responses: elements, text and the five predefined entities
 * plus numeric references. No attributes are needed (they are skipped), no DTDs, no CDATA.
 */

export interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

export class XmlParseError extends Error {}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, name: string) => {
    if (name.startsWith("#x")) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith("#")) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? whole;
  });
}

export function parseXml(source: string): XmlElement {
  const root: XmlElement = { name: "#document", children: [], text: "" };
  const stack: XmlElement[] = [root];
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[^>]*?)?)(\/?)>|<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g;
  let last = 0;
  for (let m = tag.exec(source); m !== null; m = tag.exec(source)) {
    stack.at(-1)!.text += decodeEntities(source.slice(last, m.index));
    last = tag.lastIndex;
    const [, closing, name, , selfClosing] = m;
    if (name === undefined) continue; // declaration or comment
    if (closing) {
      const open = stack.pop();
      if (!open || open.name !== name || stack.length === 0) throw new XmlParseError(`unexpected </${name}>`);
      continue;
    }
    const element: XmlElement = { name, children: [], text: "" };
    stack.at(-1)!.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (stack.length !== 1) throw new XmlParseError(`unclosed <${stack.at(-1)!.name}>`);
  const [document] = root.children;
  if (!document || root.children.length !== 1) throw new XmlParseError("not one root element");
  return document;
}

export const child = (element: XmlElement | undefined, name: string): XmlElement | undefined =>
  element?.children.find((c) => c.name === name);
