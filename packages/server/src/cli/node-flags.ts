/**
 * The Node.js flags `berth` runs with: its bundled file starts `#!/usr/bin/env -S node <flags>`
 * (the same line as src/cli/berth.ts; a test holds them equal), and `pnpm start` runs that file.
 * An embedder that serves bytes starts its own Node.js with them.
 *
 * `--initial-old-space-size=64` lets V8's old generation reach 64 MiB before a full collection is
 * due. A blob streams in as 64 KiB socket buffers, about 1,600 per 100 MiB, each garbage a moment
 * later, beside little other allocation, and a server holds only about 15 MiB of old generation,
 * from which V8 sizes its next limit. Measured on the 2-core bench machine (docs/BENCHMARKS.md,
 * 2026-11-27 22:30), in the bench's section 8 (100 MiB pushes and pulls, three servers in turn):
 * without the flag 7 of 8 server processes ran an incremental mark-compact every 50 ms or so while
 * a push streamed in (15–29 in a run, `--trace-gc`) and took 210–270 ms of CPU per push; with it,
 * 14 of 14 ran one, at start, and took 150–170 ms. `--min-semi-space-size=16`, shipped before it,
 * had kept the cycle away in a probe of pushes alone but not there (7 of 8 processes in it). Node
 * reads the flag at start only, and refuses it in NODE_OPTIONS. It costs nothing at start (`berth
 * serve` on embedded storage: 75.5 MB resident, as before); a process may hold up to 64 MiB of
 * garbage before its first full collection.
 */
export const BERTH_NODE_FLAGS: ReadonlyArray<string> = ["--initial-old-space-size=64"];
