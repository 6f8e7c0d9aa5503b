/** CloudTrail's timestamps: ISO 8601 UTC to the second, `2024-09-14T08:25:05Z`. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
