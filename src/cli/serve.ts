/** `mfa-sts serve`: run the endpoint until SIGINT or SIGTERM, then shut down cleanly. */
import { InitError } from "../iam/account.js";
import { createLogger } from "../server/logger.js";
import { startServer } from "../server/start.js";
import type { StoreOptions } from "./store-options.js";

export async function runServe(options: StoreOptions & { host: string; port: number; logLevel: string }): Promise<number> {
  const logger = createLogger(options.logLevel);
  let server;
  try {
    server = await startServer({
      ...options,
      masterKey: process.env.MFA_STS_MASTER_KEY,
      logger,
      notice: (text) => process.stderr.write(text),
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (e instanceof InitError || code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL") {
      process.stderr.write(`mfa-sts serve: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
  process.stderr.write(`listening on ${server.url}\n`);
  const running = server;
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void running.close().then(resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  return 0;
}
