/**
 * Asking the person at the terminal. Prompts go to /dev/tty, not stdout or stderr, so they are
 * seen even when output is piped (`eval "$(mfa-sts export …)"`). No terminal: `undefined` at
 * once, never a hang.
 */
import { closeSync, openSync, readSync, writeSync } from "node:fs";

export interface Terminal {
  write(text: string): void;
  /** A line typed by the user, without its line end; undefined on end of input. */
  readLine(): string | undefined;
  close(): void;
}

export function openTerminal(): Terminal | undefined {
  let fd: number;
  try {
    fd = openSync("/dev/tty", "r+");
  } catch {
    return undefined; // ENXIO: no controlling terminal
  }
  return {
    write: (text) => void writeSync(fd, text),
    readLine() {
      // Byte by byte, synchronously: the prompt is the only thing happening.
      const bytes: number[] = [];
      const one = Buffer.alloc(1);
      for (;;) {
        const n = readSync(fd, one, 0, 1, null);
        if (n === 0) return bytes.length === 0 ? undefined : Buffer.from(bytes).toString("utf8");
        if (one[0] === 0x0a) return Buffer.from(bytes).toString("utf8").replace(/\r$/, "");
        bytes.push(one[0]!);
      }
    },
    close: () => closeSync(fd),
  };
}
