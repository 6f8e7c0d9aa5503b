/**
 * Which Action entries a trust policy may hold: "AssumeRole policy may only specify STS
 * AssumeRole actions." (assume-role-spec §7.3, recorded for `sts:InvalidAction`).
 *
 * The assume actions are the ones a trust policy governs: the three AssumeRole calls and the
 * session options they carry (tags, source identity, context). A wildcard is accepted when every
 * STS action it covers is one of them ("sts:AssumeRole*", "sts:*Session"), and refused when it
 * covers any other ("*", "sts:*", "sts:Assume*" which covers sts:AssumeRoot, "sts:Get*") or none.
 * UNCONFIRMED beyond sts:InvalidAction: LocalStack accepts "*", other emulators refuse "*" and
 * "sts:*"; refusing follows the message, as "*" and "sts:*" name more than assume actions.
 * Actions compare case-insensitively, as everywhere in policies (spec §1.2).
 */
import { compileGlob, hasWildcard } from "./glob.js";

const ASSUME_ACTIONS = ["AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "TagSession", "SetSourceIdentity", "SetContext"];

/**
 * Every other STS action (Service Authorization Reference, sts), so that a wildcard reaching one
 * of them is refused.
 */
const OTHER_STS_ACTIONS = [
  "AssumeRoot",
  "DecodeAuthorizationMessage",
  "GetAccessKeyInfo",
  "GetCallerIdentity",
  "GetDelegatedAccessToken",
  "GetFederationToken",
  "GetServiceBearerToken",
  "GetSessionToken",
  "GetWebIdentityToken",
];

const lower = (names: readonly string[]): string[] => names.map((n) => `sts:${n}`.toLowerCase());
const ASSUME = new Set(lower(ASSUME_ACTIONS));
const OTHERS = lower(OTHER_STS_ACTIONS);

export function isTrustAction(action: string): boolean {
  const pattern = action.toLowerCase();
  if (!hasWildcard(pattern)) return ASSUME.has(pattern);
  // A wildcard vendor ("*:AssumeRole", "st?:AssumeRole") reaches beyond STS.
  if (!pattern.startsWith("sts:")) return false;
  const matches = compileGlob([{ text: pattern, literal: false }]);
  return [...ASSUME].some(matches) && !OTHERS.some(matches);
}
