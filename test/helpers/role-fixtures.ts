/** Role records as the store tests build them (issue 14), beside store-fixtures.ts's. */
import type { PolicyOwner, Role } from "../../src/store/store.js";
import { ACCOUNT, at } from "./store-fixtures.js";

/** A trust policy as a client sends it: white space and key order are kept as they are. */
export const trustDoc = (principal: string) =>
  `{\n  "Version": "2012-10-17",\n  "Statement": [ { "Effect": "Allow", "Principal": { "AWS": "${principal}" }, "Action": "sts:AssumeRole" } ]\n}`;

/** A role as CreateRole stores it: no description or tags, the default MaxSessionDuration. */
export const role = (name: string, changes: Partial<Role> = {}): Role => {
  const path = changes.path ?? "/";
  return {
    accountId: ACCOUNT,
    roleName: name,
    roleId: `AROA${name.toUpperCase().replace(/[^A-Z2-7]/g, "X").padEnd(17, "X").slice(0, 17)}`,
    path,
    arn: `arn:aws:iam::${ACCOUNT}:role${path}${name}`,
    createdAt: at(11).getTime() + 123,
    assumeRolePolicyDocument: trustDoc(ACCOUNT),
    description: undefined,
    maxSessionDuration: 3600,
    tags: [],
    ...changes,
  };
};

export const asRole = (name: string): PolicyOwner => ({ kind: "role", name });
