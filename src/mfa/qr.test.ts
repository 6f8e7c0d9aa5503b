import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { otpauthUri, qrCodePng } from "./qr.js";

const SEED = "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPSAIJCEMSCKJRHFAUSUKZMFUXC6MBRGIZTINJWG44DS";
const SEED64 = SEED.slice(0, 64);
const dir = mkdtempSync(join(tmpdir(), "mfa-qr-"));
let written = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Reads a QR code with zbar, the same decoder family phone apps use. Never skipped. */
function zbarimg(png: Buffer): string {
  const file = join(dir, `qr-${++written}.png`);
  writeFileSync(file, png);
  try {
    return execFileSync("zbarimg", ["--raw", "-q", file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).replace(/\n$/, "");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error("zbarimg is not installed: install zbar-tools (apt-get install -y zbar-tools) to run the QR tests");
    }
    throw error;
  }
}

describe("otpauthUri", () => {
  it("matches the AWS documented form", () => {
    expect(otpauthUri("alice", "123456789012", SEED64)).toBe(`otpauth://totp/alice@123456789012?secret=${SEED64}`);
  });

  it("percent-encodes each label part but keeps the separating @", () => {
    expect(otpauthUri("a+b=c,d.e@f-g_h", "123456789012", SEED64)).toBe(
      `otpauth://totp/a%2Bb%3Dc%2Cd.e%40f-g_h@123456789012?secret=${SEED64}`,
    );
    expect(otpauthUri("dev", "alice smith", SEED64)).toBe(`otpauth://totp/dev@alice%20smith?secret=${SEED64}`);
  });
});

describe("qrCodePng", () => {
  it("is a PNG", async () => {
    const png = await qrCodePng(otpauthUri("alice", "123456789012", SEED64));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.subarray(12, 16).toString("latin1")).toBe("IHDR");
  });

  it.each([
    ["alice", "123456789012"],
    ["a+b=c,d.e@f-g_h", "123456789012"],
    ["x".repeat(226), "123456789012"], // a long name: the IAM model sets no maximum
  ])("decodes back to the exact URI (%s@%s)", async (name, account) => {
    const uri = otpauthUri(name, account, SEED64);
    expect(zbarimg(await qrCodePng(uri))).toBe(uri);
  });
});
