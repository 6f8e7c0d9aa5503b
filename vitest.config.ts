import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "examples/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Two files at a time: most tests wait on spawned clients (aws CLI, python), so two keep a
    // 2-core machine busy; one (vitest's default here: cores − 1) made the suite take 12 minutes.
    maxWorkers: 2,
  },
});
