/** IAM tags as requests carry them (Tags.member.N.Key/Value), checked as IAM checks them. */
import { Errors } from "../errors.js";
import type { Input, StructInput } from "../protocol/shapes.js";
import { XmlList } from "../protocol/xml.js";
import type { Tag } from "../store/store.js";

/** The request's tags (none when absent); duplicate keys, compared ignoring case, are refused. */
export function tagsOf(input: Input): Tag[] {
  const structs = (input.Tags as readonly StructInput[] | undefined) ?? [];
  const tags = structs.map((t) => ({ key: t.Key as string, value: t.Value as string }));
  const seen = new Set<string>();
  for (const tag of tags) {
    const key = tag.key.toLowerCase();
    if (seen.has(key)) throw Errors.duplicateTagKeys();
    seen.add(key);
  }
  return tags;
}

/** Tags in a response: left out when there are none. */
export const tagsXml = (tags: readonly Tag[]): XmlList | undefined =>
  tags.length === 0 ? undefined : new XmlList(tags.map((t) => ({ Key: t.key, Value: t.value })));
