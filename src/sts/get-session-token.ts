/**
 * GetSessionToken (spec §2, §3.1, §4.2, §6): temporary credentials for the caller, optionally
 * proven with an MFA code. The secret and the claims travel sealed in the session token
 * (DESIGN.md decision 1), so later requests need no store read for the session itself.
 */
import { Errors } from "../errors.js";
import { newSecretAccessKey, newTemporaryAccessKeyId } from "../ids.js";
import { STS, type Operation, type OperationContext } from "../protocol/operation.js";
import type { SessionClaims } from "../tokens/claims.js";
import { checkMfaCode } from "./mfa-code.js";

/** Durations in seconds (spec §2.2). */
export const DURATION = {
  min: 900,
  max: 129_600,
  userDefault: 43_200,
  /** Root sessions: one hour by default and at most ("defaults to one hour", silently capped). */
  rootMax: 3_600,
} as const;

export const getSessionToken: Operation = {
  service: STS,
  action: "GetSessionToken",
  input: {
    // The model's ranges; the STS patterns end in `*` (spec §2.1).
    DurationSeconds: { type: "integer", min: DURATION.min, max: DURATION.max },
    SerialNumber: { type: "string", min: 9, max: 256, pattern: "[\\w+=/:,.@-]*" },
    TokenCode: { type: "string", min: 6, max: 6, pattern: "[\\d]*" },
  },
  async run(ctx, input) {
    const { principal } = ctx.caller;
    // Session credentials never get here (auth/rules.ts); this keeps the types honest.
    if (principal.type === "role") throw Errors.sessionCredentialsNotAllowed("GetSessionToken");
    const now = ctx.deps.clock.now();
    const serialNumber = await checkMfaCode(ctx, input.SerialNumber as string | undefined, input.TokenCode as string | undefined, now);

    const requested = input.DurationSeconds as number | undefined;
    const seconds =
      principal.type === "root"
        ? Math.min(requested ?? DURATION.rootMax, DURATION.rootMax)
        : (requested ?? DURATION.userDefault);
    // Expiration is printed to the second; the session ends exactly at the printed instant.
    const expiresAt = Math.floor((now + seconds * 1000) / 1000) * 1000;

    const claims: SessionClaims = {
      accessKeyId: newTemporaryAccessKeyId(ctx.deps.random),
      secretAccessKey: newSecretAccessKey(ctx.deps.random),
      accountId: principal.accountId,
      principal:
        principal.type === "root"
          ? { type: "root" }
          : { type: "user", userId: principal.user.userId, userName: principal.user.userName },
      mfa: serialNumber === undefined ? null : { serialNumber, authenticatedAt: now },
      issuedAt: now,
      expiresAt,
      sourceAccessKeyId: ctx.caller.accessKeyId,
    };
    const sessionToken = await ctx.deps.tokens.seal(claims);
    // Element order as in a raw STS capture (spec §3.1).
    return {
      Credentials: {
        AccessKeyId: claims.accessKeyId,
        SecretAccessKey: claims.secretAccessKey,
        SessionToken: sessionToken,
        Expiration: new Date(expiresAt),
      },
    };
  },
};
