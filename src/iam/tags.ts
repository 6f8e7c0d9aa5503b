/** IAM tags as requests carry them (Tags.member.N.Key/Value), checked as IAM checks them. */
import { Errors } from "../errors.js";
import type { ContextValue } from "../policy/index.js";
import type { Input, StructInput } from "../protocol/shapes.js";
import { XmlList } from "../protocol/xml.js";
import type { Tag } from "../store/store.js";

/**
 * The request's tags (none when absent); a key given twice is refused. Keys of policies and MFA
 * devices are compared exactly: AWS was recorded accepting `a` and `A` on one policy
 * (iam__test_iam_policies). A role's are not: "Tag keys are case insensitive" (assume-role
 * spec §7.3), with that longer text.
 */
export function tagsOf(input: Input, keys: "exact" | "role" = "exact"): Tag[] {
  const structs = (input.Tags as readonly StructInput[] | undefined) ?? [];
  const tags = structs.map((t) => ({ key: t.Key as string, value: t.Value as string }));
  const seen = new Set<string>();
  for (const tag of tags) {
    const key = keys === "role" ? tag.key.toLowerCase() : tag.key;
    if (seen.has(key)) throw keys === "role" ? Errors.duplicateRoleTagKeys() : Errors.duplicateTagKeys();
    seen.add(key);
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
