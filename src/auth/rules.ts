/**
 * What a caller may call. The root user may call every IAM action; IAM users have no policies
 * (yet), so AWS's implicit deny refuses every IAM action they call.
 */
import { Errors } from "../errors.js";
import { principalArn, type Caller } from "./principal.js";

export function requireIamPermission(caller: Caller, action: string, resourceArn: string): void {
  if (caller.principal.type === "root") return;
  throw Errors.notAuthorized(principalArn(caller.principal), `iam:${action}`, resourceArn);
}
