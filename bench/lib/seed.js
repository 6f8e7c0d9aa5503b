// Filling a store fast: users, their access keys and enabled virtual MFA devices are written
// straight through the built store classes (../dist), not over HTTP. For SQLite the writes go in
// large transactions, which the store's own methods join (their statements run synchronously).
import { randomBytes } from "node:crypto";
import { openStore } from "../../dist/server/open-store.js";
import { issueAccessKey } from "../../dist/iam/access-keys.js";
import { seedContext } from "../../dist/mfa/device.js";
import { cryptoRandom, newUserId } from "../../dist/ids.js";
import { systemClock } from "../../dist/clock.js";

const BATCH = 5000;

/**
 * Adds `count` users named `${prefix}${i}`, each with an access key and, with `mfa`, an enabled
 * virtual MFA device `arn:aws:iam::ACCOUNT:mfa/NAME`. Returns what the load needs to sign as them.
 */
export async function seedUsers(storeConfig, accountId, { count, prefix, mfa = false }) {
  const { store, secrets } = await openStore(storeConfig);
  const deps = { store, secrets, clock: systemClock, random: cryptoRandom };
  const users = [];
  try {
    // SQLite: the store's private better-sqlite3 handle lets one transaction carry a whole batch
    // (one fsync per batch instead of three per user). PostgreSQL: one call after another.
    const db = store.db;
    const batched = db && typeof db.transaction === "function";
    for (let start = 0; start < count; start += BATCH) {
      const end = Math.min(count, start + BATCH);
      if (batched) {
        const pending = [];
        db.transaction(() => {
          for (let i = start; i < end; i++) pending.push(addUser(deps, accountId, `${prefix}${i}`, mfa, true));
        })();
        users.push(...(await Promise.all(pending)));
      } else {
        for (let i = start; i < end; i++) users.push(await addUser(deps, accountId, `${prefix}${i}`, mfa, false));
      }
    }
  } finally {
    await store.close();
  }
  return users;
}

/**
 * `inTransaction`: every store call is made before the first await, so that with SQLite all of
 * them run inside the caller's transaction; otherwise each write waits for the one before
 * (the key needs its user).
 */
async function addUser(deps, accountId, userName, mfa, inTransaction) {
  const { store, secrets } = deps;
  const now = new Date();
  const user = { accountId, userId: newUserId(cryptoRandom), userName, path: "/", createdAt: now };
  const created = store.createUser(user);
  if (!inTransaction) await created;
  const key = issueAccessKey(deps, accountId, userName);
  if (!inTransaction) await key;
  let device;
  let seed;
  if (mfa) {
    seed = randomBytes(40);
    const serialNumber = `arn:aws:iam::${accountId}:mfa/${userName}`;
    device = store.createMfaDevice({
      serialNumber,
      accountId,
      kind: "virtual",
      name: userName,
      path: "/",
      sealedSeed: secrets.seal(seed.toString("base64"), seedContext(serialNumber)),
      tags: [],
      createdAt: now,
      assignment: { user, enabledAt: now },
      lastStep: null,
      driftSteps: 0,
    });
  }
  if ((await created) !== "created") throw new Error(`seeding: user ${userName} not created`);
  const { accessKeyId, secretAccessKey } = await key;
  const result = { userName, userId: user.userId, accessKeyId, secretAccessKey };
  if (mfa) {
    if ((await device) !== "created") throw new Error(`seeding: MFA device of ${userName} not created`);
    result.serialNumber = `arn:aws:iam::${accountId}:mfa/${userName}`;
    result.seed = seed;
  }
  return result;
}
