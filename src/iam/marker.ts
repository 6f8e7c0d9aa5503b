/**
 * Pagination markers: opaque to clients, checked on the way back in so a forged or foreign
 * marker gets AWS's recorded "Invalid Marker." instead of a wrong page.
 */
import { Errors } from "../errors.js";
import type { Input } from "../protocol/shapes.js";
import { XmlList, type XmlObject, type XmlValue } from "../protocol/xml.js";
import type { Page } from "../store/store.js";

/** IAM's default page size when MaxItems is not given. */
export const DEFAULT_MAX_ITEMS = 100;

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

/** Where a listing starts and how much it returns, from the request's Marker and MaxItems. */
export function pageInput(input: Input, kind: string): { after: string | undefined; limit: number } {
  return {
    after: decodeMarker(kind, input.Marker as string | undefined),
    limit: (input.MaxItems as number | undefined) ?? DEFAULT_MAX_ITEMS,
  };
}

/** The members every IAM listing ends with. */
export function pageEnd(page: Page<unknown>, kind: string): { IsTruncated: boolean; Marker: string | undefined } {
  return { IsTruncated: page.next !== undefined, Marker: page.next === undefined ? undefined : encodeMarker(kind, page.next) };
}

/** A page as IAM answers it: the items under `member`, then IsTruncated and Marker. */
export function paged<T>(page: Page<T>, kind: string, toXml: (item: T) => XmlValue, member: string): XmlObject {
  return { [member]: new XmlList(page.items.map(toXml)), ...pageEnd(page, kind) };
}

/** A page of a list held in memory, already in order: the items after the one whose key is `after`. */
export function pageOfList<T>(items: readonly T[], key: (item: T) => string, after: string | undefined, limit: number): Page<T> {
  const start = after === undefined ? 0 : items.findIndex((item) => key(item) > after);
  const from = start === -1 ? items.length : start;
  const slice = items.slice(from, from + limit);
  return from + limit < items.length ? { items: slice, next: key(slice[slice.length - 1]!) } : { items: slice };
}
