/** Field shapes of the IAM model (botocore iam/2010-05-08 service-2.json), shared by operations. */
import { Errors } from "../errors.js";
import type { BooleanField, IntegerField, ListField, StringField, StructListField } from "../protocol/shapes.js";

export const userName: StringField = { type: "string", min: 1, max: 64, pattern: "[\\w+=,.@-]+" };
export const existingUserName: StringField = { type: "string", min: 1, max: 128, pattern: "[\\w+=,.@-]+" };
/**
 * pathType. A pattern miss gets IAM's own sentence and an over-long path a message without the
 * value: both as recorded against AWS (iam__test_iam_mfa.snapshot.json).
 */
export const path: StringField = {
  type: "string",
  min: 1,
  max: 512,
  pattern: "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
  patternError: Errors.invalidPath,
  hideValue: true,
};
export const pathPrefix: StringField = { type: "string", min: 1, max: 512, pattern: "\\u002F[\\u0021-\\u007F]*" };
export const marker: StringField = { type: "string", min: 1, max: 320, pattern: "[\\u0020-\\u00FF]+" };
export const maxItems: IntegerField = { type: "integer", min: 1, max: 1000 };
export const accessKeyId: StringField = { type: "string", min: 16, max: 128, pattern: "[\\w]+" };
export const accessKeyStatus: StringField = { type: "string", enum: ["Active", "Inactive", "Expired"] };

export { DEFAULT_MAX_ITEMS } from "./marker.js";

/** MFA members (IAM model: virtualMFADeviceName, serialNumberType, authenticationCodeType). */
export const virtualMfaDeviceName: StringField = { type: "string", min: 1, max: 226, pattern: "[\\w+=,.@-]+" };
export const serialNumber: StringField = { type: "string", min: 9, max: 256, pattern: "[\\w+=/:,.@-]+" };
export const authenticationCode: StringField = { type: "string", min: 6, max: 6, pattern: "[\\d]+" };
export const assignmentStatus: StringField = { type: "string", enum: ["Assigned", "Unassigned", "Any"] };
/** tagKeyType. */
export const tagKey: StringField = { type: "string", min: 1, max: 128, pattern: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+" };
/**
 * tagListType with tagKeyType / tagValueType. Recorded (iam__test_iam_policies, and for roles
 * assume-role spec §7.3): IAM leaves the key's and the value's text out of their messages.
 */
export const tags: StructListField = {
  type: "structs",
  maxItems: 50,
  members: {
    Key: { ...tagKey, required: true, hideValue: true },
    Value: { type: "string", required: true, min: 0, max: 256, pattern: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*", hideValue: true },
  },
};
/** tagKeyListType (UntagRole's TagKeys): a bad key is reported for the list as a whole, as recorded for UntagPolicy. */
export const tagKeys: ListField = { type: "list", member: tagKey, maxItems: 50 };

/** Roles (IAM model: roleNameType, roleDescriptionType, roleMaxSessionDurationType). */
export const roleName: StringField = { type: "string", min: 1, max: 64, pattern: "[\\w+=,.@-]+" };
export const roleDescription: StringField = { type: "string", max: 1000, pattern: "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*" };
/**
 * UNCONFIRMED text (spec §7.3: emulators disagree on whether the value is quoted): the Coral
 * pattern recorded for other integer members, e.g. `1 validation error detected: Value '50000' at
 * 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200`.
 */
export const maxSessionDuration: IntegerField = { type: "integer", min: 3600, max: 43200 };

/** Groups and policies (IAM model: groupNameType, policyNameType, policyPathType, arnType, …). */
export const groupName: StringField = { type: "string", min: 1, max: 128, pattern: "[\\w+=,.@-]+" };
export const policyName: StringField = { type: "string", min: 1, max: 128, pattern: "[\\w+=,.@-]+" };
export const policyPath: StringField = { type: "string", min: 1, max: 512, pattern: "((/[A-Za-z0-9\\.,\\+@=_-]+)*)/" };
export const policyDocument: StringField = { type: "string", min: 1, max: 131072, pattern: "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" };
export const policyDescription: StringField = { type: "string", max: 1000 };
export const arn: StringField = { type: "string", min: 20, max: 2048 };
/** Recorded: AWS leaves the value out of this member's message. */
export const policyVersionId: StringField = { type: "string", pattern: "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?", hideValue: true };
export const policyScope: StringField = { type: "string", enum: ["All", "AWS", "Local"] };
export const policyUsage: StringField = { type: "string", enum: ["PermissionsPolicy", "PermissionsBoundary"] };
export const entityType: StringField = { type: "string", enum: ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"] };
export const boolean: BooleanField = { type: "boolean" };

/** The simulator's inputs (ActionNameListType, ResourceNameListType, SimulationPolicyListType, ContextEntry). */
export const actionNames: ListField = { type: "list", member: { type: "string", min: 3, max: 128 } };
export const resourceNames: ListField = { type: "list", member: { type: "string", min: 1, max: 2048 } };
export const resourceName: StringField = { type: "string", min: 1, max: 2048 };
export const policyDocuments: ListField = { type: "list", member: policyDocument };
export const contextEntries: StructListField = {
  type: "structs",
  members: {
    ContextKeyName: { type: "string", min: 5, max: 256 },
    ContextKeyValues: { type: "list", member: { type: "string" } },
    ContextKeyType: {
      type: "string",
      enum: ["string", "stringList", "numeric", "numericList", "boolean", "booleanList", "ip", "ipList", "binary", "binaryList", "date", "dateList"],
    },
  },
};
