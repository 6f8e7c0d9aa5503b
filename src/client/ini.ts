/**
 * The AWS shared config and credentials files as botocore reads them (`raw_config_parse`):
 * `[section]` headers, `key = value` (or `key: value`) lines, full-line comments starting with `#`
 * or `;`, and nested values — an empty value followed by indented `key = value` lines, as in
 * `s3 =` or a `[services …]` section's `sts =`. Keys are lower-cased like Python's ConfigParser;
 * values are kept as written (an inline `#` is part of the value, as in ConfigParser).
 */

export type IniValue = string | Readonly<Record<string, string>>;
export type IniSection = Readonly<Record<string, IniValue>>;
/** Sections in file order; a repeated section merges into the first, later keys winning. */
export type IniFile = ReadonlyMap<string, IniSection>;

export class IniParseError extends Error {}

const SECTION = /^\[([^\]]+)\]\s*$/;
const ENTRY = /^([^=:]+?)\s*[=:]\s*(.*)$/;

export function parseIni(text: string): IniFile {
  const sections = new Map<string, Record<string, IniValue>>();
  let current: Record<string, IniValue> | undefined;
  let nestedKey: string | undefined;

  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith(";")) continue;
    const indented = /^\s/.test(line);

    if (indented && current && nestedKey !== undefined) {
      const entry = ENTRY.exec(trimmed);
      if (!entry) throw new IniParseError(`line ${i + 1}: expected "key = value" in the nested value of ${nestedKey}`);
      const nested = current[nestedKey] as Record<string, string>;
      nested[entry[1]!.toLowerCase()] = entry[2]!.trim();
      continue;
    }

    const header = SECTION.exec(trimmed);
    if (header && !indented) {
      const name = header[1]!.trim();
      current = sections.get(name) ?? {};
      sections.set(name, current);
      nestedKey = undefined;
      continue;
    }

    const entry = ENTRY.exec(trimmed);
    if (!entry || !current) throw new IniParseError(`line ${i + 1}: ${current ? 'expected "key = value"' : "a value outside any [section]"}`);
    const key = entry[1]!.toLowerCase();
    const value = entry[2]!.trim();
    if (value === "") {
      current[key] = {};
      nestedKey = key;
    } else {
      current[key] = value;
      nestedKey = undefined;
    }
  }
  // `key =` with nothing nested under it is an empty value, not an empty table.
  for (const section of sections.values()) {
    for (const [key, value] of Object.entries(section)) {
      if (typeof value !== "string" && Object.keys(value).length === 0) section[key] = "";
    }
  }
  return sections;
}
