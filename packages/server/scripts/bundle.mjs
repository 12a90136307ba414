/**
 * Bundles the `berth` CLI (dist/cli/berth.js, as tsc emitted it) into dist/bundle/: one entry file
 * and the chunks it imports when asked (each storage's adapter). Node loads an ES module file by
 * file, and a start loaded about 550 of them (Berth's packages, kysely, fp-ts): 400 ms of a cold
 * start. Bundled, the same code loads in a few files.
 *
 * Berth's packages and the pure-JavaScript libraries with many modules are bundled; every other
 * package stays a plain import from node_modules (native bindings, WebAssembly, pino's worker
 * threads, the AWS SDK: packages that find files next to their own), so each must be a dependency
 * of the package the bundle sits in: checked here, so a missing one fails the build, not a start.
 *
 * `node bundle.mjs` bundles the CLI; `node bundle.mjs ENTRY OUTDIR` bundles another program the
 * same way (the benchmarks' cold-start process, so that it loads as `berth` does).
 */
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { dirname, join, parse, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const BUNDLED = new Set(["kysely", "fp-ts", "io-ts", "commander"]);

const packageOf = (specifier) =>
  specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];

/** Whether Node, importing `name` from a file in `directory`, finds it in a node_modules up the tree. */
const reachable = (name, directory) => {
  for (let at = directory; ; at = dirname(at)) {
    if (existsSync(join(at, "node_modules", name, "package.json"))) return true;
    if (at === parse(at).root) return false;
  }
};

/** Bare imports: bundled when Berth's own or listed in BUNDLED, else left to Node (and checked). */
const externals = (outdir) => ({
  name: "berth-externals",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, ({ path }) => {
      const name = packageOf(path);
      if (name.startsWith("@berth/") || BUNDLED.has(name)) return undefined;
      if (!path.startsWith("node:") && !reachable(name, outdir))
        return {
          errors: [
            { text: `${name} cannot be imported from ${outdir}: add it to the package's dependencies` },
          ],
        };
      return { path, external: true };
    });
  },
});

export const bundle = async (entry, outdir) => {
  await rm(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { [parse(entry).name]: entry },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: "linked",
    logLevel: "warning",
    // The CommonJS libraries bundled (commander, fp-ts/lib) require Node's built-in modules.
    banner: {
      js: 'import { createRequire as __berthRequire } from "node:module"; const require = __berthRequire(import.meta.url);',
    },
    plugins: [externals(outdir)],
  });
};

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const [entry = join(dist, "cli/berth.js"), outdir = join(dist, "bundle")] = process.argv.slice(2);
await bundle(resolve(entry), resolve(outdir));
