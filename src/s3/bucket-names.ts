/**
 * General-purpose bucket naming rules (s3-spec §9.2): 3–63 characters of lower-case letters,
 * digits, `.` and `-`, beginning and ending with a letter or digit, no `..`, not an IP address,
 * none of AWS's reserved prefixes and suffixes. botocore sends upper case, `_` and up to 255
 * characters on to the server, which answers InvalidBucketName.
 */
const SHAPE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

export function isValidBucketName(name: string): boolean {
  return (
    SHAPE.test(name) &&
    !name.includes("..") &&
    !IP_ADDRESS.test(name) &&
    !RESERVED_PREFIXES.some((p) => name.startsWith(p)) &&
    !RESERVED_SUFFIXES.some((s) => name.endsWith(s))
  );
}
