import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Random } from "../ids.js";
import { Base32Error, base32Decode, base32Encode, newSeed } from "./seed.js";

/** A deterministic Random: bytes are 0, 1, 2, … */
const countingRandom: Random = {
  bytes: (n) => Buffer.from(Array.from({ length: n }, (_, i) => i & 0xff)),
  uuid: () => "00000000-0000-4000-8000-000000000000",
  int: () => 0,
};

describe("base32 (RFC 4648 §10 test vectors, padding removed)", () => {
  const vectors: Array<[string, string]> = [
    ["", ""],
    ["f", "MY"],
    ["fo", "MZXQ"],
    ["foo", "MZXW6"],
    ["foob", "MZXW6YQ"],
    ["fooba", "MZXW6YTB"],
    ["foobar", "MZXW6YTBOI"],
  ];
  for (const [plain, encoded] of vectors) {
    it(`${JSON.stringify(plain)} ↔ ${encoded}`, () => {
      expect(base32Encode(Buffer.from(plain))).toBe(encoded);
      expect(base32Decode(encoded).toString()).toBe(plain);
    });
  }

  it("decodes the padded, lowercase and spaced forms people paste", () => {
    expect(base32Decode("MZXW6YQ=").toString()).toBe("foob");
    expect(base32Decode("MZXW6YTBOI======").toString()).toBe("foobar");
    expect(base32Decode("mzxw 6ytb oi").toString()).toBe("foobar");
    expect(base32Decode("MZXW\t6YTB\nOI").toString()).toBe("foobar");
  });

  it.each(["MZXW6YT0", "MZXW6YT1", "MZXW6YT8", "MZXW-6YTB", "MZ=XW6YTB", "MZXW6YTBÄ", "MZXW6YT\u0000", "MZXW6YT💥"])(
    "rejects %j",
    (text) => {
      expect(() => base32Decode(text)).toThrow(Base32Error);
      expect(() => base32Decode(text)).toThrow(/invalid base32 character/);
    },
  );

  it.each(["M", "MZX", "MZXW6Y"])("rejects the impossible length of %j", (text) => {
    expect(() => base32Decode(text)).toThrow(/invalid base32 length/);
  });

  it("rejects non-zero trailing bits (a mistyped last character)", () => {
    expect(() => base32Decode("MZ")).toThrow(/trailing bits/); // "MY" is the canonical "f"
  });

  it("round-trips arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = base32Encode(bytes);
        expect(text).toMatch(/^[A-Z2-7]*$/);
        expect(text.length).toBe(Math.ceil((bytes.length * 8) / 5));
        expect(base32Decode(text).equals(Buffer.from(bytes))).toBe(true);
        expect(base32Decode(text.toLowerCase()).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it("never throws anything but Base32Error on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        try {
          base32Decode(text);
        } catch (error) {
          expect(error).toBeInstanceOf(Base32Error);
        }
      }),
    );
  });
});

describe("newSeed", () => {
  it("makes 40 bytes from the injected Random, as 64 base32 characters without padding", () => {
    const seed = newSeed(countingRandom);
    expect(seed.bytes.length).toBe(40);
    expect(seed.bytes.equals(countingRandom.bytes(40))).toBe(true);
    expect(seed.base32).toMatch(/^[A-Z2-7]{64}$/);
    expect(base32Decode(seed.base32).equals(seed.bytes)).toBe(true);
    expect(seed.base32.startsWith("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPS")).toBe(true);
  });

  it("is always 64 characters whatever the bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 40, maxLength: 40 }), (bytes) => {
        const random: Random = { ...countingRandom, bytes: () => Buffer.from(bytes) };
        expect(newSeed(random).base32).toMatch(/^[A-Z2-7]{64}$/);
      }),
    );
  });

  it("refuses a Random that returns the wrong number of bytes", () => {
    const short: Random = { ...countingRandom, bytes: (n) => Buffer.alloc(n - 1) };
    expect(() => newSeed(short)).toThrow(/wanted 40/);
  });
});
