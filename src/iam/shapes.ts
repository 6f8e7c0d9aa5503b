/** Field shapes of the IAM model (botocore iam/2010-05-08 service-2.json), shared by operations. */
import { Errors } from "../errors.js";
import type { IntegerField, StringField, TagListField } from "../protocol/shapes.js";

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

export const DEFAULT_MAX_ITEMS = 100;

/** MFA members (IAM model: virtualMFADeviceName, serialNumberType, authenticationCodeType). */
export const virtualMfaDeviceName: StringField = { type: "string", min: 1, max: 226, pattern: "[\\w+=,.@-]+" };
export const serialNumber: StringField = { type: "string", min: 9, max: 256, pattern: "[\\w+=/:,.@-]+" };
export const authenticationCode: StringField = { type: "string", min: 6, max: 6, pattern: "[\\d]+" };
export const assignmentStatus: StringField = { type: "string", enum: ["Assigned", "Unassigned", "Any"] };
/** tagListType with tagKeyType / tagValueType. */
export const tags: TagListField = {
  type: "tags",
  maxItems: 50,
  key: { type: "string", min: 1, max: 128, pattern: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+" },
  value: { type: "string", min: 0, max: 256, pattern: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*" },
};
