// Builds dist/cli/drop-in.cjs: the aws CLI drop-ins (`mfa-sts get-session-token`,
// `get-caller-identity`) and all of our code they use, in one CommonJS file. Their start-up time
// is part of what they promise (issue 15): node's ES module loader resolves, reads and links each
// of the ~20 files one by one, and ESM itself costs more to start than CommonJS; one CommonJS file
// saved ~20 ms of ~60 ms over `node -e 0` (bench/results.md, "CLI wall time").
// Runs after tsc (`npm run build`), from its output; packages stay external (loaded only by the
// options that need them, as in dist/).
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const { dependencies } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
// The signer is in every call that reaches a server, and it and its small @smithy helpers cost
// ~25 ms to resolve and load as separate CommonJS files; it goes into the bundle. The others are
// loaded only by the options that need them (yaml, --query) or not by the drop-ins at all.
const BUNDLED = new Set(["@smithy/signature-v4"]);

await build({
  absWorkingDir: root,
  entryPoints: ["dist/cli/sts.js"],
  outfile: "dist/cli/drop-in.cjs",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  // Packages' ES module builds, which esbuild can tree-shake: @smithy/core's CommonJS index is
  // ~390 KB, of which the signer needs a few functions.
  mainFields: ["module", "main"],
  external: Object.keys(dependencies).filter((name) => !BUNDLED.has(name)),
  // CommonJS has no import.meta; version.ts finds package.json from the file's own URL, which the
  // bundle computes once. The bundle sits in dist/cli/ like version.js, so the relative path holds.
  define: { "import.meta.url": "__bundleFileUrl" },
  banner: { js: 'const __bundleFileUrl = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: "warning",
});
