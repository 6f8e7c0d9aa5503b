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
export type Field = StringField | IntegerField;

/** Wire name → field, in model order. */
export type InputShape = Readonly<Record<string, Field>>;

export type Input = Record<string, string | number | undefined>;

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

function valueText(field: Field, value: string): string {
  return field.type === "string" && field.hideValue ? "Value" : `Value '${value}'`;
}

/** Validates params against the shape; returns the typed input or throws the AWS error. */
export function validateInput(shape: InputShape, params: QueryParams): Input {
  const input: Input = {};
  const violations: string[] = [];
  let fixedError: AwsError | undefined;

  for (const [wireName, field] of Object.entries(shape)) {
    const raw = params.get(wireName);
    const at = `at '${memberName(wireName)}' failed to satisfy constraint:`;
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
    const value = valueText(field, raw);
    if (field.enum && !field.enum.includes(raw))
      violations.push(`${value} ${at} Member must satisfy enum value set: [${field.enum.join(", ")}]`);
    if (field.pattern !== undefined && !fullMatch(field, raw)) {
      if (field.patternError) fixedError ??= field.patternError();
      else violations.push(`${value} ${at} Member must satisfy regular expression pattern: ${field.pattern}`);
    }
    if (field.min !== undefined && raw.length < field.min)
      violations.push(`${value} ${at} Member must have length greater than or equal to ${field.min}`);
    if (field.max !== undefined && raw.length > field.max)
      violations.push(`${value} ${at} Member must have length less than or equal to ${field.max}`);
    input[wireName] = raw;
  }
  if (violations.length > 0) throw Errors.validation(violations);
  if (fixedError) throw fixedError;
  return input;
}
