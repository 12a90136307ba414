/**
 * The Node.js flags `berth` runs with: its bundled file starts `#!/usr/bin/env -S node <flags>`
 * (the same line as src/cli/berth.ts; a test holds them equal), and `pnpm start` runs that file.
 * An embedder that serves bytes starts its own Node.js with them.
 *
 * `--min-semi-space-size=16` keeps V8's young generation at its largest size (16 MiB, the default
 * maximum) for the life of the process. A blob streams in as 64 KiB socket buffers, about 1,600 per
 * 100 MiB, each garbage a moment later, beside little other allocation. Measured on the 2-core bench
 * machine (docs/BENCHMARKS.md): 20 of 39 processes started without the flag ran a full
 * (incremental mark-compact) collection every 50 ms or so while a push streamed in, every push of
 * their life, and took 190–230 ms and 240–280 ms of CPU for a 100 MiB `/v2` PATCH; the others, and
 * 17 of 17 started with the flag, collected only the young generation and took 145–165 ms and
 * 150–180 ms. With 8 MiB, 3 of 8 still fell into the cycle; so it seems to start when V8, reading a
 * low allocation rate, shrinks the young generation. The flag is read at start only (NODE_OPTIONS
 * refuses it, and setting it later through `v8.setFlagsFromString` left 2 processes of 16 in
 * the cycle); it costs at most 16 MiB more young generation than a quiet process would keep.
 */
export const BERTH_NODE_FLAGS: ReadonlyArray<string> = ["--min-semi-space-size=16"];
