/**
 * mfa-sts as a library. Three pieces, nothing else (internals are not part of the API):
 *
 * - {@link startServer}: a real mfa-sts server in the calling process, for tests — users with
 *   MFA devices, codes the server accepts, a clock the test moves.
 * - {@link fromMfaSession}: an AWS SDK v3 credential provider sharing `mfa-sts login`'s session
 *   profile: one MFA code per session, for the CLI and every process that uses it.
 * - {@link createVerifier}: the server's SigV4 and session-token verification for another
 *   service's HTTP handler: who signed a request, and whether their session was made with MFA.
 *
 * @packageDocumentation
 */
export { startServer } from "./library/start-server.js";
export type { MfaStsServer, StartServerOptions } from "./library/start-server.js";
export type { AccessKeyCredentials, CreateUserOptions, MfaStsUser } from "./library/test-users.js";

export { fromMfaSession, MfaSessionError } from "./library/mfa-session.js";
export type { MfaSessionCredentials, MfaSessionOptions, MfaSessionProvider } from "./library/mfa-session.js";

export { createVerifier } from "./library/verifier.js";
export type { Verifier, VerifierOptions, VerifyResult } from "./library/verifier.js";
export type { MfaFacts, VerifiedCaller, VerifiedSession } from "./library/verified-caller.js";
export type { RequestHeaders, VerifiableRequest } from "./library/wire-request.js";
