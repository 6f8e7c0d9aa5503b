/**
 * --output yaml and yaml-stream: awscli/formatter.py `YAMLDumper`, `YAMLFormatter` and
 * `StreamedYAMLFormatter`.
 *
 * A scalar result (string, number, boolean, null) is written with `json.dump` instead of YAML,
 * so `"ASIA..."` keeps its quotes and null is `null`; lists and dicts go through the YAML
 * emitter. An empty dict (an operation without output) prints nothing. yaml-stream writes the
 * response as a one-element list.
 */
import { pyJsonDumps } from "../python/json.js";
import { isObject } from "../python/values.js";
import { emitYaml } from "./emitter.js";
import { represent } from "./nodes.js";

export function dumpYaml(value: unknown): string {
  if (!Array.isArray(value) && !isObject(value)) return pyJsonDumps(value, { ensureAscii: false }) + "\n";
  return emitYaml(represent(value));
}

const isEmptyDict = (value: unknown) => isObject(value) && Object.keys(value).length === 0;

export function formatYaml(response: unknown): string {
  return isEmptyDict(response) ? "" : dumpYaml(response);
}

export function formatYamlStream(response: unknown): string {
  return isEmptyDict(response) ? "" : dumpYaml([response]);
}
