/**
 * Pagination markers: opaque to clients, checked on the way back in so a forged or foreign
 * marker gets AWS's recorded "Invalid Marker." instead of a wrong page.
 */
import { Errors } from "../errors.js";

export function encodeMarker(kind: string, key: string): string {
  return Buffer.from(`${kind}\n${key}`, "utf8").toString("base64");
}

export function decodeMarker(kind: string, marker: string | undefined): string | undefined {
  if (marker === undefined) return undefined;
  const text = Buffer.from(marker, "base64").toString("utf8");
  if (Buffer.from(text, "utf8").toString("base64") !== marker || !text.startsWith(`${kind}\n`)) {
    throw Errors.invalidMarker();
  }
  return text.slice(kind.length + 1);
}
