/**
 * The provisioning QR code of CreateVirtualMFADevice. AWS documents its content as
 * `otpauth://totp/$virtualMFADeviceName@$AccountName?secret=$Base32String` (spec §7.3);
 * no issuer, algorithm, digits or period parameters, so apps use their defaults (SHA-1/6/30).
 */
import QRCode from "qrcode";

/**
 * Each label part is percent-encoded on its own and joined with a literal `@`, as AWS does,
 * so a `@` inside a device name (allowed by `[\w+=,.@-]+`) stays distinguishable (`%40`).
 */
export function otpauthUri(deviceName: string, accountName: string, base32Seed: string): string {
  const label = `${encodeURIComponent(deviceName)}@${encodeURIComponent(accountName)}`;
  return `otpauth://totp/${label}?secret=${encodeURIComponent(base32Seed)}`;
}

/** PNG with error correction M and 6-pixel modules: ~300 px, readable by phone cameras. */
export function qrCodePng(uri: string): Promise<Buffer> {
  return QRCode.toBuffer(uri, { type: "png", errorCorrectionLevel: "M", scale: 6, margin: 4 });
}
