/** MFA: TOTP verification, seeds and provisioning QR codes for virtual MFA devices. */
export {
  CHECK_WINDOW_STEPS,
  DIGITS,
  ENABLE_SEARCH_STEPS,
  RESYNC_SEARCH_STEPS,
  STEP_SECONDS,
  checkCode,
  checkConsecutiveCodes,
  hotp,
  timeStep,
  totpCode,
  type CodeCheck,
} from "./totp.js";
export { Base32Error, SEED_BYTES, base32Decode, base32Encode, newSeed } from "./seed.js";
export { otpauthUri, qrCodePng } from "./qr.js";
