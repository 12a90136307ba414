import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@berth/source"] },
  ssr: { resolve: { conditions: ["@berth/source"] } },
  test: {
    // The JSON report lets .ci/run print one plain "N passed, N failed" line at the end.
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
    include: ["packages/*/test/**/*.test.ts", "adapters/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
