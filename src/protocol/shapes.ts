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
export interface BooleanField extends FieldBase {
  type: "boolean";
}
/** A list of strings on the wire as `NAME.member.N` (N from 1). */
export interface ListField extends FieldBase {
  type: "list";
  member: StringField;
  maxItems?: number;
}
/**
 * A list of structures on the wire as `NAME.member.N.MEMBER` (N from 1): IAM tags
 * (`Tags.member.1.Key`), simulation context entries (`ContextEntries.member.1.ContextKeyValues.member.1`).
 */
export interface StructListField extends FieldBase {
  type: "structs";
  members: Readonly<Record<string, StringField | ListField>>;
  maxItems?: number;
}
export type Field = StringField | IntegerField | BooleanField | ListField | StructListField;

/** Wire name → field, in model order. */
export type InputShape = Readonly<Record<string, Field>>;

/** One structure of a StructListField, by wire member name. */
export type StructInput = Readonly<Record<string, string | readonly string[] | undefined>>;

export type Input = Record<string, string | number | boolean | readonly string[] | readonly StructInput[] | undefined>;

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
 * Reads `PREFIX.member.N` for N = 1, 2, … while `present(prefix)` holds. Members are numbered
 * from 1 without gaps, as botocore sends them; an entry past a gap is never read, as AWS's
 * deserializer stops at the first missing N.
 */
function readMembers<T>(prefix: string, present: (at: string) => boolean, read: (at: string, n: number) => T): T[] {
  const items: T[] = [];
  for (let n = 1; present(`${prefix}.member.${n}`); n++) items.push(read(`${prefix}.member.${n}`, n));
  return items;
}

/** What the model says of a list member, as Coral lists it when one member breaks it (recorded for tagKeys). */
function memberConstraints(member: StringField): string {
  const rules: string[] = [];
  if (member.max !== undefined) rules.push(`Member must have length less than or equal to ${member.max}`);
  if (member.min !== undefined) rules.push(`Member must have length greater than or equal to ${member.min}`);
  if (member.pattern !== undefined) rules.push(`Member must satisfy regular expression pattern: ${member.pattern}`);
  rules.push("Member must not be null");
  return `[${rules.join(", ")}]`;
}

function readList(field: ListField, wireName: string, params: QueryParams, path: string, violations: string[]): string[] {
  const values = readMembers(wireName, (at) => params.get(at) !== undefined, (at) => params.get(at)!);
  if (values.some((v) => breaks(field.member, v))) {
    // The recorded text leaves the list's value out.
    violations.push(`Value ${constraintAt(path)} Member must satisfy constraint: ${memberConstraints(field.member)}`);
  }
  if (field.maxItems !== undefined && values.length > field.maxItems) {
    violations.push(`Value ${constraintAt(path)} Member must have length less than or equal to ${field.maxItems}`);
  }
  return values;
}

/** True when the value breaks the member's enum, pattern or length. */
function breaks(member: StringField, value: string): boolean {
  const found: string[] = [];
  return checkString(member, value, "", found) !== undefined || found.length > 0;
}

function readStructs(field: StructListField, wireName: string, params: QueryParams, path: string, violations: string[]): StructInput[] {
  const members = Object.entries(field.members);
  const structs = readMembers(
    wireName,
    (at) => members.some(([name, m]) => params.get(m.type === "list" ? `${at}.${name}.member.1` : `${at}.${name}`) !== undefined),
    (at, n) => {
      const struct: Record<string, string | readonly string[] | undefined> = {};
      for (const [name, member] of members) {
        // UNCONFIRMED member paths beyond tags: Coral's pattern for list members, e.g. 'tags.1.member.key'.
        const memberPath = `${path}.${n}.member.${memberName(name)}`;
        if (member.type === "list") {
          const values = readList(member, `${at}.${name}`, params, memberPath, violations);
          if (values.length > 0) struct[name] = values;
          else if (member.required) violations.push(`Value null ${constraintAt(memberPath)} Member must not be null`);
          continue;
        }
        const value = params.get(`${at}.${name}`);
        if (value === undefined) {
          if (member.required) violations.push(`Value null ${constraintAt(memberPath)} Member must not be null`);
        } else checkString(member, value, constraintAt(memberPath), violations);
        struct[name] = value;
      }
      return struct;
    },
  );
  if (field.maxItems !== undefined && structs.length > field.maxItems) {
    // Recorded for tags: the list itself is left out of the text, as AWS does for `path`.
    violations.push(`Value ${constraintAt(path)} Member must have length less than or equal to ${field.maxItems}`);
  }
  return structs;
}

/** Validates params against the shape; returns the typed input or throws the AWS error. */
export function validateInput(shape: InputShape, params: QueryParams): Input {
  const input: Input = {};
  const violations: string[] = [];
  let fixedError: AwsError | undefined;

  for (const [wireName, field] of Object.entries(shape)) {
    const path = memberName(wireName);
    if (field.type === "list" || field.type === "structs") {
      const items =
        field.type === "list"
          ? readList(field, wireName, params, path, violations)
          : readStructs(field, wireName, params, path, violations);
      if (items.length > 0) input[wireName] = items;
      else if (field.required) violations.push(`Value null ${constraintAt(path)} Member must not be null`);
      continue;
    }
    const raw = params.get(wireName);
    const at = constraintAt(path);
    if (raw === undefined) {
      if (field.required) violations.push(`Value null ${at} Member must not be null`);
      continue;
    }
    if (field.type === "boolean") {
      // botocore sends "true"/"false"; Coral's text for anything else is UNCONFIRMED.
      if (raw !== "true" && raw !== "false") violations.push(`Value '${raw}' ${at} Member must be a boolean`);
      else input[wireName] = raw === "true";
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
