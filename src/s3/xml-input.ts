/**
 * The few XML request bodies S3 takes here (CreateBucketConfiguration, CompleteMultipartUpload,
 * Delete): flat documents whose elements hold text. Read with patterns rather than a parser; a
 * body that is not such a document is S3's MalformedXML.
 */
import { S3Errors } from "./errors.js";

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Element text with XML's escapes undone (named entities and &#N; / &#xN;). */
export function xmlText(text: string): string {
  try {
    return decodeEntities(text);
  } catch {
    // &#x110000; and the like: not a character.
    throw S3Errors.malformedXml();
  }
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
    e.startsWith("#x") ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith("#") ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e]!,
  );
}

/** The body as text, checked to be the root element `root` (with an optional declaration and namespace). */
export function xmlBody(body: Uint8Array, root: string): string {
  const text = Buffer.from(body).toString("utf8").trim();
  const pattern = new RegExp(`^(?:<\\?xml[^>]*\\?>\\s*)?<${root}(?:\\s+xmlns="[^"]*")?\\s*>([\\s\\S]*)</${root}>$`);
  const m = pattern.exec(text);
  if (!m) throw S3Errors.malformedXml();
  return m[1]!;
}

/** The text of each `<name>…</name>` in `xml`, in order (not nested in another of the same name). */
export function elements(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, "g"))].map((m) => m[1]!);
}

/** The text of the one `<name>` in `xml`, if any. */
export const element = (xml: string, name: string): string | undefined => elements(xml, name)[0];
