import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@berth/source"] },
  ssr: { resolve: { conditions: ["@berth/source"] } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "adapters/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
