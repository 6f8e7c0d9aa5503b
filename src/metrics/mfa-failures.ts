/**
 * Which answers mean "an MFA code was refused": a wrong or replayed code to GetSessionToken or
 * AssumeRole (one AccessDenied text among several), or to EnableMFADevice/ResyncMFADevice.
 */
import { Errors } from "../errors.js";

const INVALID_CODE = Errors.mfaInvalidCode();
const INVALID_AUTHENTICATION_CODE = Errors.invalidAuthenticationCode();

export function isMfaCodeRefusal(error: { readonly code: string; readonly message: string }): boolean {
  return (
    (error.code === INVALID_CODE.code && error.message === INVALID_CODE.message) ||
    (error.code === INVALID_AUTHENTICATION_CODE.code && error.message === INVALID_AUTHENTICATION_CODE.message)
  );
}
