/**
 * A role's tags: TagRole, UntagRole, ListRoleTags. Role tag keys are case-insensitive (a tag
 * whose key the role has already replaces it; a request naming one key twice, in any case, is
 * refused), and a role has at most 50. Role sessions see their role's tags as aws:PrincipalTag,
 * so a change forgets the cached role before the call answers.
 */
import { forgetPrincipals } from "../auth/principal-caches.js";
import { Errors } from "../errors.js";
import { IAM, type Operation, type OperationContext } from "../protocol/operation.js";
import { paged, pageInput, pageOfList } from "./marker.js";
import { authorizedRole } from "./roles.js";
import * as shape from "./shapes.js";
import { tagContext, tagsOf } from "./tags.js";

/** "Tags per IAM role: 50" (IAM quotas). */
export const TAGS_PER_ROLE = 50;

const accountOf = (ctx: OperationContext): string => ctx.caller.principal.accountId;

export const tagRole: Operation = {
  service: IAM,
  action: "TagRole",
  input: { RoleName: { ...shape.roleName, required: true }, Tags: { ...shape.tags, required: true } },
  async run(ctx, input) {
    const name = input.RoleName as string;
    const tags = tagsOf(input, "role");
    await authorizedRole(ctx, name, "TagRole", tagContext(tags));
    const result = await ctx.deps.store.tagRole(accountOf(ctx), name, tags, TAGS_PER_ROLE);
    if (result === "not-found") throw Errors.noSuchRole(name);
    if (result === "limit") throw Errors.roleTagsQuota(TAGS_PER_ROLE);
    await forgetPrincipals(ctx.deps.store);
    return undefined;
  },
};

export const untagRole: Operation = {
  service: IAM,
  action: "UntagRole",
  input: { RoleName: { ...shape.roleName, required: true }, TagKeys: { ...shape.tagKeys, required: true } },
  async run(ctx, input) {
    const name = input.RoleName as string;
    const keys = input.TagKeys as readonly string[];
    await authorizedRole(ctx, name, "UntagRole", { "aws:TagKeys": keys });
    if (!(await ctx.deps.store.untagRole(accountOf(ctx), name, keys))) throw Errors.noSuchRole(name);
    await forgetPrincipals(ctx.deps.store);
    return undefined;
  },
};

export const listRoleTags: Operation = {
  service: IAM,
  action: "ListRoleTags",
  input: { RoleName: { ...shape.roleName, required: true }, Marker: shape.marker, MaxItems: shape.maxItems },
  async run(ctx, input) {
    const role = await authorizedRole(ctx, input.RoleName as string, "ListRoleTags");
    // In the order they were added (AWS's order for role tags is UNCONFIRMED); the marker is a position.
    const numbered = role.tags.map((tag, i) => ({ tag, key: String(i).padStart(4, "0") }));
    const { after, limit } = pageInput(input, "role-tags");
    return paged(pageOfList(numbered, (n) => n.key, after, limit), "role-tags", (n) => ({ Key: n.tag.key, Value: n.tag.value }), "Tags");
  },
};
