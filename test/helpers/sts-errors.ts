/**
 * The answers the tests expect, written out from the spec (§4.2) rather than taken from
 * src/errors.ts, so that a slip there is caught. `asTuple` gives the [status, code, message]
 * form the boto3 scripts print.
 */
export interface ExpectedError {
  status: number;
  code: string;
  message: string;
}

export const INVALID_TOKEN: ExpectedError = { status: 403, code: "InvalidClientTokenId", message: "The security token included in the request is invalid" };
export const EXPIRED_TOKEN: ExpectedError = { status: 403, code: "ExpiredToken", message: "The security token included in the request is expired" };
export const INVALID_CODE: ExpectedError = {
  status: 403,
  code: "AccessDenied",
  message: "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
};
export const NOT_ASSOCIATED: ExpectedError = {
  status: 403,
  code: "AccessDenied",
  message:
    "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.",
};
export const INCOMPLETE: ExpectedError = {
  status: 403,
  code: "AccessDenied",
  message: "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.",
};
export const SESSION_REFUSED: ExpectedError = { status: 403, code: "AccessDenied", message: "Cannot call GetSessionToken with session credentials" };

export const asTuple = (e: ExpectedError): [number, string, string] => [e.status, e.code, e.message];
