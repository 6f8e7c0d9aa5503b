/**
 * What never enters the audit trail: one-time codes, secrets, session tokens, seeds. CloudTrail
 * writes its placeholder where a request carried one (`"tokenCode": "HIDDEN_DUE_TO_SECURITY_REASONS"`)
 * and leaves such elements out of its responses.
 */

export const HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS";

/**
 * Names (wire or camelCase, any case) of values that are secret: TokenCode, AuthenticationCode1/2,
 * SecretAccessKey, SessionToken, Base32StringSeed, QRCodePNG (the seed as a picture), passwords,
 * and signatures (a presigned URL's, replayable until it expires).
 * Matched by pattern rather than listed per operation, so an operation added later is covered.
 */
const SECRET_NAME = /tokencode|authenticationcode|secret|sessiontoken|seed|qrcode|password|signature/i;

export const isSecretName = (name: string): boolean => SECRET_NAME.test(name);

/**
 * AWS's validation messages quote the value they refused (`Value '12345' at 'tokenCode' failed to
 * satisfy constraint: …`): a malformed code or secret must not reach the trail that way.
 */
const QUOTED_VALUE = /Value '([^]*?)' at '([^']*)'/g;

export function redactMessage(message: string): string {
  return message.replace(QUOTED_VALUE, (whole, _value: string, member: string) => (isSecretName(member) ? `Value '${HIDDEN}' at '${member}'` : whole));
}
