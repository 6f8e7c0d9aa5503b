/**
 * What session credentials may call in STS, whatever the policies say (spec §6.2).
 */
import { Errors } from "../errors.js";
import type { Caller } from "../principal.js";

/** STS actions that GetSessionToken credentials may call (spec §6.2). */
const STS_ACTIONS_FOR_SESSIONS = new Set(["GetCallerIdentity", "AssumeRole"]);

/** Session credentials may call only some STS actions: the rest get AWS's "Cannot call …". */
export function requireStsActionAllowed(caller: Caller, action: string): void {
  if (caller.session !== null && !STS_ACTIONS_FOR_SESSIONS.has(action)) {
    throw Errors.sessionCredentialsNotAllowed(action);
  }
}
