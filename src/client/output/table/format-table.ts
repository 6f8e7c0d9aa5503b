/**
 * --output table: a port of awscli/formatter.py `TableFormatter`, which lays out any response
 * without looking at the model. A dict becomes a section (its scalar keys sorted, one row, or
 * a key | value row when there is only one); each list or dict value below it becomes a
 * nested section; a list of dicts becomes one row per dict.
 */
import { FormatterError } from "../errors.js";
import { compareCodePoints, isObject, pyFalsy, pyTypeName, type Value } from "../python/values.js";
import { MultiTable } from "./multi-table.js";
import { RowWidthError } from "./section.js";
import { BufferStream, colorStyler, plainStyler } from "./styler.js";

export function formatTable(title: string, response: unknown, options: { color: boolean; terminalWidth?: number }): string {
  const table = new MultiTable(options.color ? colorStyler : plainStyler, options.terminalWidth);
  try {
    if (!buildTable(table, title, response as Value, 0)) return "";
  } catch (e) {
    if (e instanceof RowWidthError || e instanceof PythonTypeError) throw new FormatterError(e.message);
    throw e;
  }
  const stream = new BufferStream(options.color);
  table.render(stream);
  return stream.toString();
}

/** A TypeError / AttributeError the Python code would hit on shapes it was not written for. */
class PythonTypeError extends Error {}

const isScalar = (element: unknown) => !Array.isArray(element) && !isObject(element);

/** Python's `for el in item`: a dict yields its keys. */
const members = (item: Value[] | { [key: string]: Value }): Value[] => (Array.isArray(item) ? item : Object.keys(item));

function buildTable(table: MultiTable, title: string | null, current: Value, indentLevel: number): boolean {
  if (pyFalsy(current)) return false;
  if (title !== null) table.newSection(title, indentLevel);
  if (Array.isArray(current)) {
    if (isObject(current[0])) {
      buildSubTableFromList(table, current, indentLevel, title);
    } else {
      for (const item of current) {
        if (isScalar(item)) table.addRow([item]);
        else if (members(item as Value[]).every(isScalar)) table.addRow(members(item as Value[]));
        else buildTable(table, null, item, 0);
      }
    }
  }
  if (isObject(current)) buildSubTableFromDict(table, current, indentLevel);
  return true;
}

function buildSubTableFromDict(table: MultiTable, current: { [key: string]: Value }, indentLevel: number): void {
  const [headers, more] = groupScalarKeys(current);
  if (headers.length === 1) {
    // A dict with a single scalar: one `key | value` row instead of a header line.
    const key = headers[0] as string;
    table.addRow([key, current[key]]);
  } else if (headers.length > 0) {
    table.addRowHeader(headers);
    table.addRow(headers.map((k) => current[k]));
  }
  for (const remaining of more) buildTable(table, remaining, current[remaining] as Value, indentLevel + 1);
}

function buildSubTableFromList(table: MultiTable, current: Value[], indentLevel: number, title: string | null): void {
  const [headers, more] = groupScalarKeysFromList(current);
  table.addRowHeader(headers);
  let first = true;
  for (const element of current) {
    if (!first && more.length > 0) {
      table.newSection(title, indentLevel);
      table.addRowHeader(headers);
    }
    first = false;
    // A member missing from this element prints as ''.
    table.addRow(headers.map((h) => dictGet(element, h)));
    for (const remaining of more) {
      if (pyIn(remaining, element)) buildTable(table, remaining, pyIndex(element, remaining), indentLevel + 1);
    }
  }
}

/** `element.get(key, '')`, with Python's AttributeError for a non-dict. */
function dictGet(element: Value, key: string): Value {
  if (!isObject(element)) throw new PythonTypeError(`'${pyTypeName(element)}' object has no attribute 'get'`);
  return Object.hasOwn(element, key) ? (element[key] as Value) : "";
}

/** `key in element`: a dict's keys, a list's members, a string's substrings. */
function pyIn(key: string, element: Value): boolean {
  if (isObject(element)) return Object.hasOwn(element, key);
  if (typeof element === "string") return element.includes(key);
  if (Array.isArray(element)) return element.some((member) => member === key);
  throw new PythonTypeError(`argument of type '${pyTypeName(element)}' is not iterable`);
}

/** `element[key]` after `key in element` held. */
function pyIndex(element: Value, key: string): Value {
  if (isObject(element)) return element[key] as Value;
  throw new PythonTypeError(typeof element === "string" ? "string indices must be integers, not 'str'" : "list indices must be integers or slices, not str");
}

function groupScalarKeysFromList(listOfDicts: Value[]): [string[], string[]] {
  const headers = new Set<string>();
  const more = new Set<string>();
  // A list whose members all index into itself gets through _group_scalar_keys in Python;
  // what follows (integer headers) is not reproduced, only a later member's error is.
  let indexList = false;
  for (const item of listOfDicts) {
    if (Array.isArray(item) && item.length > 0 && iterationError(item) === LIST_NO_GET) {
      indexList = true;
      continue;
    }
    const [h, m] = groupScalarKeys(item);
    h.forEach((k) => headers.add(k));
    m.forEach((k) => more.add(k));
  }
  if (indexList) throw new PythonTypeError(LIST_NO_GET);
  return [[...headers].sort(compareCodePoints), [...more].sort(compareCodePoints)];
}

const LIST_NO_GET = "'list' object has no attribute 'get'";

function groupScalarKeys(current: Value): [string[], string[]] {
  if (!isObject(current)) {
    // Python iterates the value and indexes it with each member; an empty one yields no keys.
    if (current === "" || (Array.isArray(current) && current.length === 0)) return [[], []];
    throw new PythonTypeError(iterationError(current));
  }
  const headers: string[] = [];
  const more: string[] = [];
  for (const key of Object.keys(current)) (isScalar(current[key]) ? headers : more).push(key);
  return [headers.sort(compareCodePoints), more.sort(compareCodePoints)];
}

/** What `for element in current: current[element]` raises when `current` is not a dict. */
function iterationError(current: Value): string {
  if (typeof current === "string") return "string indices must be integers, not 'str'";
  if (Array.isArray(current)) {
    // A list survives while its members are valid indices into itself (True counts as 1).
    for (const element of current) {
      const index = typeof element === "boolean" ? Number(element) : element;
      if (typeof index !== "number" || !Number.isInteger(index)) return `list indices must be integers or slices, not ${pyTypeName(element)}`;
      if (index >= current.length || index < -current.length) return "list index out of range";
    }
    // Not reproduced beyond this point: Python would go on with integer headers.
    return LIST_NO_GET;
  }
  return `'${pyTypeName(current)}' object is not iterable`;
}
