/** IAM tags as requests carry them (Tags.member.N.Key/Value), checked as IAM checks them. */
import { Errors } from "../errors.js";
import type { ContextValue } from "../policy/index.js";
import type { Input, StructInput } from "../protocol/shapes.js";
import { XmlList } from "../protocol/xml.js";
import type { Tag } from "../store/store.js";

/**
 * The request's tags (none when absent); a key given twice is refused. Keys are compared
 * exactly: AWS was recorded accepting `a` and `A` on one policy (iam__test_iam_policies).
 */
export function tagsOf(input: Input): Tag[] {
  const structs = (input.Tags as readonly StructInput[] | undefined) ?? [];
  const tags = structs.map((t) => ({ key: t.Key as string, value: t.Value as string }));
  const seen = new Set<string>();
  for (const tag of tags) {
    if (seen.has(tag.key)) throw Errors.duplicateTagKeys();
    seen.add(tag.key);
  }
  return tags;
}

/** The condition keys a request with tags adds (spec §2.5): aws:TagKeys and aws:RequestTag/KEY. */
export function tagContext(tags: readonly Tag[]): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = {};
  // An absent key, not an empty list, when there are no tags (ForAllValues is then true, as on AWS).
  if (tags.length > 0) context["aws:TagKeys"] = tags.map((t) => t.key);
  for (const t of tags) context[`aws:RequestTag/${t.key}`] = t.value;
  return context;
}

/** Tags in a response: left out when there are none. */
export const tagsXml = (tags: readonly Tag[]): XmlList | undefined =>
  tags.length === 0 ? undefined : new XmlList(tags.map((t) => ({ Key: t.key, Value: t.value })));
