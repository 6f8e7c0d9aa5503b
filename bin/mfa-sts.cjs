#!/usr/bin/env node
// The `mfa-sts` entry point. CommonJS on purpose: the aws CLI drop-ins (`get-session-token`,
// `get-caller-identity`) promise a fast start, and a CommonJS entry with one bundled file
// (dist/cli/drop-in.cjs, scripts/bundle-cli.js) starts faster than node's ES module loader.
// Every other command goes through the commander program (ES modules), loaded only then.
"use strict";

// V8's code cache for loaded modules, where the running Node has it (≥ 22.1); Node 20 starts without.
require("node:module").enableCompileCache?.();

const [command, ...rest] = process.argv.slice(2);
if (command === "get-session-token" || command === "get-caller-identity") {
  require("../dist/cli/drop-in.cjs")
    .runDropIn(command, rest)
    .then(
      (code) => {
        process.exitCode = code;
      },
      // Anything the command did not turn into aws's own message: as aws's last-resort handler prints it.
      (error) => {
        process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 255;
      },
    );
} else {
  import("../dist/cli/program.js");
}
