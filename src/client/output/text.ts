/**
 * --output text: a port of awscli/text.py. Scalars of a dict go on one tab-separated line in
 * sorted key order, led by the upper-cased key of the dict's parent; lists and dicts below
 * follow on their own lines.
 */
import { FormatterError } from "./errors.js";
import { compareCodePoints, isObject, pyStr, pyTypeName, sortedKeys, type Value } from "./python/values.js";

export function formatText(data: unknown): string {
  const out: string[] = [];
  try {
    formatItem(data, out, null, null);
  } catch (e) {
    if (e instanceof PythonError) throw new FormatterError(e.message, out.join(""));
    throw e;
  }
  return out.join("");
}

/** A Python exception text, raised where text.py would raise and turned into a FormatterError. */
class PythonError extends Error {}

function formatItem(item: unknown, out: string[], identifier: string | null, scalarKeys: string[] | null): void {
  if (isObject(item)) formatDict(scalarKeys, item, identifier, out);
  else if (Array.isArray(item)) formatList(item, identifier, out);
  else out.push(pyStr(item), "\n");
}

function formatList(item: Value[], identifier: string | null, out: string[]): void {
  if (item.length === 0) return;
  if (item.some(isObject)) {
    const allKeys = allScalarKeys(item);
    for (const element of item) formatItem(element, out, identifier, allKeys);
  } else if (item.some(Array.isArray)) {
    const scalars = item.filter((el) => !Array.isArray(el) && !isObject(el));
    const nonScalars = item.filter((el) => Array.isArray(el) || isObject(el));
    if (scalars.length > 0) formatScalarList(scalars, identifier, out);
    for (const nonScalar of nonScalars) formatItem(nonScalar, out, identifier, null);
  } else {
    formatScalarList(item, identifier, out);
  }
}

function formatScalarList(elements: Value[], identifier: string | null, out: string[]): void {
  if (identifier !== null) {
    for (const item of elements) out.push(`${identifier.toUpperCase()}\t${pyStr(item)}\n`);
  } else {
    // A bare list: its members on one line.
    out.push(elements.map(pyStr).join("\t"), "\n");
  }
}

function formatDict(scalarKeys: string[] | null, item: { [key: string]: Value }, identifier: string | null, out: string[]): void {
  const [scalars, nonScalars] = partitionDict(item, scalarKeys);
  if (scalars.length > 0) {
    if (identifier !== null) scalars.unshift(identifier.toUpperCase());
    out.push(scalars.join("\t"), "\n");
  }
  for (const [newIdentifier, nonScalar] of nonScalars) formatItem(nonScalar, out, newIdentifier, null);
}

function allScalarKeys(listOfDicts: Value[]): string[] {
  const seen = new Set<string>();
  for (const itemDict of listOfDicts) {
    // text.py calls item_dict.items() on every member, dict or not.
    if (!isObject(itemDict)) throw new PythonError(`'${pyTypeName(itemDict)}' object has no attribute 'items'`);
    for (const [key, value] of Object.entries(itemDict)) {
      if (!isObject(value) && !Array.isArray(value)) seen.add(key);
    }
  }
  return [...seen].sort(compareCodePoints);
}

function partitionDict(itemDict: { [key: string]: Value }, scalarKeys: string[] | null): [string[], [string, Value][]] {
  const scalar: string[] = [];
  const nonScalar: [string, Value][] = [];
  if (scalarKeys === null) {
    for (const key of sortedKeys(itemDict)) {
      const value = itemDict[key] as Value;
      if (isObject(value) || Array.isArray(value)) nonScalar.push([key, value]);
      else scalar.push(pyStr(value));
    }
  } else {
    // scalar_keys come from every dict of the list; a missing one prints as ''.
    for (const key of scalarKeys) scalar.push(Object.hasOwn(itemDict, key) ? pyStr(itemDict[key]) : "");
    const known = new Set(scalarKeys);
    for (const key of sortedKeys(itemDict)) {
      if (!known.has(key)) nonScalar.push([key, itemDict[key] as Value]);
    }
  }
  return [scalar, nonScalar];
}
