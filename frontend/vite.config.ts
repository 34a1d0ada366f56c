import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The bundle is part of the Python package: the server serves index.html for every
// path outside /api and the hashed files under /assets/.
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: "../src/labelloop/static",
    emptyOutDir: true,
  },
  // `npm run dev` forwards API calls to a local server, such as
  // `labelloop demo --port 8765`.
  server: {
    proxy: { "/api": "http://127.0.0.1:8765" },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
