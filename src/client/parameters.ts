/**
 * The request parameters as the aws CLI builds and checks them: command-line values (`file://`
 * read), then the top-level keys of `--cli-input-json`/`--cli-input-yaml` that the command line
 * did not set, then botocore's client-side validation — types and minimums only (spec §2.4),
 * with its messages.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pythonRepr } from "./args.js";
import type { ClientEnvironment } from "./config.js";
import { CliError, EXIT } from "./errors.js";
import { expandUser, expandVars } from "./paths.js";
import type { InputMember, StsOperation } from "./operations.js";
import type { ParamValue } from "./sts-request.js";

/** A value as botocore sees it after parsing: JSON/YAML may bring any type. */
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/**
 * `file://PATH` values are read as text, PATH expanded as awscli's paramfile does (`~`, then
 * `$VARS`) and relative to the working directory; a missing file is named as expanded.
 */
export function readParamFile(value: string, parameter: string, ce: ClientEnvironment): string {
  if (!value.startsWith("file://")) return value;
  const path = expandVars(expandUser(value.slice("file://".length), ce.home), ce.env);
  try {
    return readFileSync(resolve(ce.cwd, path), "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "ENOENT" ? `[Errno 2] No such file or directory: ${pythonRepr(path)}` : err.message;
    throw new CliError(EXIT.parameter, `Error parsing parameter '${parameter}': Unable to load paramfile ${value}: ${why}`);
  }
}

/** Python's int() on a command-line string: whitespace, a sign and `_` between digits allowed. */
export function pythonInt(text: string): number {
  if (!/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(text)) {
    throw new CliError(EXIT.general, `invalid literal for int() with base 10: ${pythonRepr(text)}`);
  }
  return Number(text.replace(/[_\s]/g, ""));
}

/** How Python prints a value in botocore's messages (str() of the parsed object). */
function pythonStr(value: Value): string {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return pythonReprValue(value);
}

function pythonReprValue(value: Value): string {
  if (typeof value === "string") return pythonRepr(value);
  if (Array.isArray(value)) return `[${value.map(pythonReprValue).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value).map(([k, v]) => `${pythonRepr(k)}: ${pythonReprValue(v)}`).join(", ")}}`;
  }
  return pythonStr(value);
}

function pythonType(value: Value): string {
  if (value === null) return "<class 'NoneType'>";
  if (typeof value === "boolean") return "<class 'bool'>";
  if (typeof value === "string") return "<class 'str'>";
  if (typeof value === "number") return Number.isInteger(value) ? "<class 'int'>" : "<class 'float'>";
  return Array.isArray(value) ? "<class 'list'>" : "<class 'dict'>";
}

/** Reads the --cli-input-* document: a mapping of parameters. */
export async function readCliInput(options: ReadonlyMap<string, string>, base: ClientEnvironment): Promise<Record<string, Value> | undefined> {
  const json = options.get("--cli-input-json");
  const yaml = options.get("--cli-input-yaml");
  if (json !== undefined && yaml !== undefined) throw new CliError(EXIT.parameter, "Only one --cli-input- parameter may be specified.");
  if (json !== undefined) {
    const text = readParamFile(json, "--cli-input-json", base);
    try {
      return JSON.parse(text) as Record<string, Value>;
    } catch {
      throw new CliError(EXIT.parameter, "Error parsing parameter 'cli-input-json': Invalid JSON received.");
    }
  }
  if (yaml !== undefined) {
    const text = readParamFile(yaml, "--cli-input-yaml", base);
    const { parse } = await import("yaml"); // only this option needs a YAML parser
    try {
      return (parse(text) ?? {}) as Record<string, Value>;
    } catch {
      throw new CliError(EXIT.parameter, "Error parsing parameter 'cli-input-yaml': Invalid YAML received.");
    }
  }
  return undefined;
}

/**
 * The parameters to send, in the order the aws CLI sends them, after botocore's validation.
 * Throws the CLI's errors: an int that does not parse (255), "Parameter validation failed" (252).
 */
export function buildParameters(
  operation: StsOperation,
  commandLine: ReadonlyMap<string, string>,
  cliInput: Record<string, Value> | undefined,
  base: ClientEnvironment,
): Map<string, ParamValue> {
  const params = new Map<string, Value>();
  for (const member of operation.input) {
    const raw = commandLine.get(member.option);
    if (raw === undefined) continue;
    const text = readParamFile(raw, member.option, base);
    params.set(member.name, member.type === "integer" ? pythonInt(text) : text);
  }
  // The command line wins; top-level keys only (spec §8.6).
  if (cliInput !== undefined && cliInput !== null && typeof cliInput === "object" && !Array.isArray(cliInput)) {
    for (const [key, value] of Object.entries(cliInput)) if (!params.has(key)) params.set(key, value);
  }

  return checkedParameters(operation, params);
}

/** botocore's validation of the parameters to send (unknown names, types, minimums), in its words. */
export function checkedParameters(operation: StsOperation, params: ReadonlyMap<string, Value>): Map<string, ParamValue> {
  const errors: string[] = [];
  const known: [InputMember, Value][] = [];
  const names = operation.input.map((m) => m.name);
  for (const [key, value] of params) {
    const member = operation.input.find((m) => m.name === key);
    if (member) known.push([member, value]);
    else errors.push(`Unknown parameter in input: "${key}", must be one of: ${names.join(", ")}`);
  }
  const out = new Map<string, ParamValue>();
  for (const [member, value] of known) {
    const error = checkMember(member, value);
    if (error) errors.push(error);
    else out.set(member.name, value as ParamValue);
  }
  if (errors.length > 0) throw new CliError(EXIT.parameter, `Parameter validation failed:\n${errors.join("\n")}`);
  return out;
}

function checkMember(member: InputMember, value: Value): string | undefined {
  if (member.type === "integer") {
    // Python's bool is an int, so botocore lets true/false through as 1/0.
    const isInt = (typeof value === "number" && Number.isInteger(value)) || typeof value === "boolean";
    if (!isInt) return `Invalid type for parameter ${member.name}, value: ${pythonStr(value)}, type: ${pythonType(value)}, valid types: <class 'int'>`;
    const n = Number(value);
    if (n < member.min) return `Invalid value for parameter ${member.name}, value: ${pythonStr(value)}, valid min value: ${member.min}`;
    return undefined;
  }
  if (typeof value !== "string") {
    return `Invalid type for parameter ${member.name}, value: ${pythonStr(value)}, type: ${pythonType(value)}, valid types: <class 'str'>`;
  }
  const length = [...value].length;
  if (length < member.min) return `Invalid length for parameter ${member.name}, value: ${length}, valid min length: ${member.min}`;
  return undefined;
}

/** `--generate-cli-skeleton input|yaml-input` (spec §8.6). */
export function inputSkeleton(operation: StsOperation, kind: "input" | "yaml-input"): string {
  if (operation.input.length === 0) return "{}\n";
  if (kind === "input") {
    const lines = operation.input.map((m) => `    ${JSON.stringify(m.name)}: ${m.type === "integer" ? "0" : '""'}`);
    return `{\n${lines.join(",\n")}\n}\n`;
  }
  // ruamel's comment alignment: two spaces after the first value, one after the rest.
  return operation.input
    .map((m, i) => `${m.name}: ${m.type === "integer" ? "0" : "''"}${i === 0 ? "  " : " "}# ${m.doc}\n`)
    .join("");
}
