/**
 * ruamel.yaml 0.17.21 `Resolver` with its YAML 1.2 implicit resolvers (the one the C emitter
 * is paired with under `YAML(typ='safe')`). A string that would read back as something else
 * (`'123456789012'`, `'true'`, `'2011-07-11T19:55:29+00:00'`, `''`) is not "plain implicit",
 * so the emitter quotes it. YAML 1.1 words such as `yes` and `on` stay plain.
 *
 * The patterns are ruamel's, written without the re.X whitespace; each applies only to values
 * starting with one of its listed characters, as in ruamel.
 */

const RESOLVERS: ReadonlyArray<{ first: string; pattern: RegExp }> = [
  { first: "tTfF", pattern: /^(?:true|True|TRUE|false|False|FALSE)$/ },
  {
    first: "-+0123456789.",
    pattern:
      /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  },
  { first: "-+0123456789", pattern: /^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$/ },
  { first: "<", pattern: /^(?:<<)$/ },
  { first: "~nN", pattern: /^(?:~|null|Null|NULL|)$/ },
  {
    first: "0123456789",
    pattern:
      /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  },
  { first: "=", pattern: /^(?:=)$/ },
  { first: "!&*", pattern: /^(?:!|&|\*)$/ },
];

/** True when a plain scalar with this text would be read as a string (ruamel: resolves to str). */
export function resolvesToString(value: string): boolean {
  if (value === "") return false; // the null resolver is registered for the empty first character
  const first = value[0] as string;
  return !RESOLVERS.some((r) => r.first.includes(first) && r.pattern.test(value));
}
