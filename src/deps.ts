/**
 * What every layer below the HTTP adapter is given (DESIGN.md decision 4): nothing reads the
 * clock, the environment or randomness on its own. Shared by the server, which makes it, and
 * the operations, which use it (decision 9: the operations import no types from server/).
 */
import type { pino } from "pino";
import type { SecurityEvents } from "./audit/security-events.js";
import type { Clock } from "./clock.js";
import type { AttemptLimits } from "./store/store.js";
import type { SecretBox } from "./crypto/secret-box.js";
import type { Random } from "./ids.js";
import type { BlobStore } from "./store/blobs.js";
import type { Store } from "./store/store.js";
import type { TokenKeys } from "./tokens/token-keys.js";

export type Logger = pino.Logger;

export interface Deps {
  readonly store: Store;
  readonly secrets: SecretBox;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly tokens: TokenKeys;
  /** S3 object bodies. */
  readonly blobs: BlobStore;
  /**
   * Where security events go (a lockout: audit record, metric, warn log line). Set by a running
   * server (server/instrumentation.ts); absent for deps made outside one.
   */
  readonly events?: SecurityEvents;
  /** MFA and access-key attempt limits (`serve --mfa-max-failures`, …); the defaults when absent. */
  readonly attemptLimits?: AttemptLimits;
}

/** What writing to the store needs (also outside a running server: `init`, `mfa import`). */
export type StoreDeps = Pick<Deps, "store" | "secrets" | "clock" | "random">;
