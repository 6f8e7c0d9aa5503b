/**
 * The `mfa-sts` entry point. The aws CLI drop-ins (`get-session-token`, `get-caller-identity`)
 * are dispatched before anything else loads: their start-up time is part of what they promise.
 * Every other command goes through the commander program, loaded only then.
 */
const [command, ...rest] = process.argv.slice(2);

if (command === "get-session-token" || command === "get-caller-identity") {
  const { runDropIn } = await import("./sts.js");
  process.exitCode = await runDropIn(command, rest);
} else {
  await import("./program.js");
}
