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

/** STS actions that GetSessionToken credentials may call (spec §6.2). */
const STS_ACTIONS_FOR_SESSIONS = new Set(["GetCallerIdentity", "AssumeRole"]);

/** Session credentials may call only some STS actions: the rest get AWS's "Cannot call …". */
export function requireStsActionAllowed(caller: Caller, action: string): void {
  if (caller.session !== null && !STS_ACTIONS_FOR_SESSIONS.has(action)) {
    throw Errors.sessionCredentialsNotAllowed(action);
  }
}
