/**
 * What every layer below the HTTP adapter is given (DESIGN.md decision 4): nothing reads the
 * clock, the environment or randomness on its own.
 */
import type { Clock } from "../clock.js";
import type { SecretBox } from "../crypto/secret-box.js";
import type { Random } from "../ids.js";
import type { Store } from "../store/store.js";
import type { TokenKeys } from "../tokens/token-keys.js";
import type { Logger } from "./logger.js";

export interface Deps {
  readonly store: Store;
  readonly secrets: SecretBox;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly tokens: TokenKeys;
}

/** What writing to the store needs (also outside a running server: `init`, `mfa import`). */
export type StoreDeps = Pick<Deps, "store" | "secrets" | "clock" | "random">;
