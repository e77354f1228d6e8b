// Type-checks and bundles the dashboard: src/main.ts and its modules into one minified ES module, beside the static files.
// Usage: node build.mjs <output folder>   (the app's build passes obj/.../dashboard and embeds what is there)
import { execFileSync } from "node:child_process";
import { build } from "esbuild";
import { copyFile, mkdir, readdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";

const output = resolve(process.argv[2] ?? "dist");
// esbuild strips types without checking them; tsc checks them first (tsconfig.json: strict, nothing emitted).
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "."], { stdio: "inherit" });
await rm(output, { recursive: true, force: true });
await mkdir(output, { recursive: true });
await build({
  entryPoints: ["src/main.ts"],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  platform: "browser",
  outfile: join(output, "dashboard.js"),
  legalComments: "none",
  logLevel: "warning",
});
for (const file of await readdir("static")) {
  await copyFile(join("static", file), join(output, file));
}
