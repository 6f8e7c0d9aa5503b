/**
 * --output json: awscli/formatter.py `JSONFormatter`, `json.dump(indent=4, ensure_ascii=False)`
 * plus a newline. An empty dict (an operation without output) prints nothing; every other
 * value, null and [] included, is printed.
 */
import { pyJsonDumps } from "./python/json.js";
import { isObject } from "./python/values.js";

export function formatJson(response: unknown): string {
  if (isObject(response) && Object.keys(response).length === 0) return "";
  return pyJsonDumps(response, { indent: 4, ensureAscii: false }) + "\n";
}
