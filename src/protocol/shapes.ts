/**
 * Input shapes from the AWS models (min, max, pattern, enum) and the validation AWS applies to
 * them, with its "Coral" ValidationError text (spec §2.4):
 *   1 validation error detected: Value '600' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900
 * Several violations are joined by "; " in model order; for one member, pattern before length.
 */
import { AwsError, Errors } from "../errors.js";
import type { QueryParams } from "./query.js";

interface FieldBase {
  required?: boolean;
}
export interface StringField extends FieldBase {
  type: "string";
  min?: number;
  max?: number;
  /** The model's pattern, as text: it is quoted verbatim in the error message. */
  pattern?: string;
  enum?: readonly string[];
  /** A fixed error that AWS answers instead of the generic pattern text (recorded for IAM paths). */
  patternError?: () => AwsError;
  /** AWS leaves the value out of this member's messages (recorded for IAM `path`). */
  hideValue?: boolean;
}
export interface IntegerField extends FieldBase {
  type: "integer";
  min?: number;
  max?: number;
}
/**
 * A list of IAM tags on the wire as `Tags.member.N.Key` / `Tags.member.N.Value` (N from 1), checked
 * member by member like the model's tagKeyType / tagValueType.
 */
export interface TagListField extends FieldBase {
  type: "tags";
  maxItems: number;
  key: StringField;
  value: StringField;
}
export type Field = StringField | IntegerField | TagListField;

/** Wire name → field, in model order. */
export type InputShape = Readonly<Record<string, Field>>;

export interface TagInput {
  readonly key: string;
  readonly value: string;
}

export type Input = Record<string, string | number | readonly TagInput[] | undefined>;

/** The member name AWS puts in messages: the wire name with a lower-case first letter. */
function memberName(wireName: string): string {
  return wireName.charAt(0).toLowerCase() + wireName.slice(1);
}

const compiled = new WeakMap<StringField, RegExp>();
function fullMatch(field: StringField, value: string): boolean {
  let re = compiled.get(field);
  if (!re) {
    re = new RegExp(`^(?:${field.pattern})$`, "u");
    compiled.set(field, re);
  }
  return re.test(value);
}

function valueText(field: StringField, value: string): string {
  return field.hideValue ? "Value" : `Value '${value}'`;
}

/** The string checks, in AWS's order for one member: enum, pattern, then length. */
function checkString(field: StringField, raw: string, at: string, violations: string[]): AwsError | undefined {
  const value = valueText(field, raw);
  let fixedError: AwsError | undefined;
  if (field.enum && !field.enum.includes(raw))
    violations.push(`${value} ${at} Member must satisfy enum value set: [${field.enum.join(", ")}]`);
  if (field.pattern !== undefined && !fullMatch(field, raw)) {
    if (field.patternError) fixedError = field.patternError();
    else violations.push(`${value} ${at} Member must satisfy regular expression pattern: ${field.pattern}`);
  }
  if (field.min !== undefined && raw.length < field.min)
    violations.push(`${value} ${at} Member must have length greater than or equal to ${field.min}`);
  if (field.max !== undefined && raw.length > field.max)
    violations.push(`${value} ${at} Member must have length less than or equal to ${field.max}`);
  return fixedError;
}

const constraintAt = (path: string): string => `at '${path}' failed to satisfy constraint:`;

/**
 * Reads `NAME.member.N.Key/Value`. Members are numbered from 1 without gaps, as botocore sends
 * them; an entry past a gap is never read, as AWS's deserializer stops at the first missing N.
 */
function readTags(field: TagListField, wireName: string, params: QueryParams, violations: string[]): TagInput[] {
  const tags: TagInput[] = [];
  const path = memberName(wireName);
  for (let n = 1; ; n++) {
    const key = params.get(`${wireName}.member.${n}.Key`);
    const value = params.get(`${wireName}.member.${n}.Value`);
    if (key === undefined && value === undefined) break;
    // UNCONFIRMED member paths: Coral's pattern for list members, e.g. 'tags.1.member.key'.
    const at = (member: string) => constraintAt(`${path}.${n}.member.${member}`);
    if (key === undefined) violations.push(`Value null ${at("key")} Member must not be null`);
    else checkString(field.key, key, at("key"), violations);
    if (value === undefined) violations.push(`Value null ${at("value")} Member must not be null`);
    else checkString(field.value, value, at("value"), violations);
    tags.push({ key: key ?? "", value: value ?? "" });
  }
  if (tags.length > field.maxItems) {
    // UNCONFIRMED: the list itself is left out of the text, as AWS does for `path`.
    violations.push(`Value ${constraintAt(path)} Member must have length less than or equal to ${field.maxItems}`);
  }
  return tags;
}

/** Validates params against the shape; returns the typed input or throws the AWS error. */
export function validateInput(shape: InputShape, params: QueryParams): Input {
  const input: Input = {};
  const violations: string[] = [];
  let fixedError: AwsError | undefined;

  for (const [wireName, field] of Object.entries(shape)) {
    if (field.type === "tags") {
      const tags = readTags(field, wireName, params, violations);
      if (tags.length > 0) input[wireName] = tags;
      else if (field.required) violations.push(`Value null ${constraintAt(memberName(wireName))} Member must not be null`);
      continue;
    }
    const raw = params.get(wireName);
    const at = constraintAt(memberName(wireName));
    if (raw === undefined) {
      if (field.required) violations.push(`Value null ${at} Member must not be null`);
      continue;
    }
    if (field.type === "integer") {
      if (!/^-?\d{1,15}$/.test(raw)) {
        // UNCONFIRMED: botocore never sends a non-number; this follows Coral's template.
        violations.push(`Value '${raw}' ${at} Member must be a number`);
        continue;
      }
      const n = Number(raw);
      if (field.min !== undefined && n < field.min)
        violations.push(`Value '${raw}' ${at} Member must have value greater than or equal to ${field.min}`);
      if (field.max !== undefined && n > field.max)
        violations.push(`Value '${raw}' ${at} Member must have value less than or equal to ${field.max}`);
      input[wireName] = n;
      continue;
    }
    fixedError ??= checkString(field, raw, at, violations);
    input[wireName] = raw;
  }
  if (violations.length > 0) throw Errors.validation(violations);
  if (fixedError) throw fixedError;
  return input;
}
