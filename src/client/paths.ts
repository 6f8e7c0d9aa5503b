/**
 * Python's `os.path.expanduser` and `os.path.expandvars` (posixpath), which botocore applies to
 * the config and credentials file paths and awscli to `file://` parameter paths; the aws CLI's
 * error messages name the expanded path, so ours must expand exactly alike.
 */
import { readFileSync } from "node:fs";

type Env = Readonly<Record<string, string | undefined>>;

/** `~` and `~/…` from `home`; `~name/…` from that user's entry in /etc/passwd; else unchanged. */
export function expandUser(path: string, home: string): string {
  if (!path.startsWith("~")) return path;
  const end = path.indexOf("/", 1) === -1 ? path.length : path.indexOf("/", 1);
  const userHome = end === 1 ? home : passwdHome(path.slice(1, end));
  if (userHome === undefined) return path;
  return userHome.replace(/\/+$/, "") + path.slice(end) || "/";
}

function passwdHome(name: string): string | undefined {
  let passwd: string;
  try {
    passwd = readFileSync("/etc/passwd", "utf8");
  } catch {
    return undefined;
  }
  for (const line of passwd.split("\n")) {
    const fields = line.split(":");
    if (fields[0] === name && fields.length >= 7) return fields[5];
  }
  return undefined;
}

/** `$NAME` and `${NAME}` replaced where NAME is set; others left as written. */
export function expandVars(path: string, env: Env): string {
  if (!path.includes("$")) return path;
  return path.replace(/\$(\w+|\{[^}]*\})/g, (whole, name: string) => {
    const value = env[name.startsWith("{") ? name.slice(1, -1) : name];
    return value ?? whole;
  });
}
