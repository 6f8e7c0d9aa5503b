/** Self-contained session tokens (DESIGN.md decision 1): sealed claims and the key ring. */
export type { MfaClaim, Principal, RoleSessionClaims, SessionClaims, SessionTag } from "./claims.js";
export { KeyRing, MAX_SESSION_LIFETIME_MS } from "./key-ring.js";
export type { KeyRingJSON, RandomBytes, TokenKey } from "./key-ring.js";
export { isExpired, openToken, sealToken } from "./seal.js";
