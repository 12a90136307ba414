/**
 * 2 (part). PutImage through a whole `serve()` on PostgreSQL (lenient, one client over the ECR JSON
 * API): what a deployment pays per command besides the append, with the server's background work
 * running (scan and replication workers, sweeps, lifecycle). Beside its ops/s, the server's CPU time
 * per PutImage (from /proc) and the statements its pg clients sent per PutImage (counted in the
 * server process, polls included): the append is one; workers that read the log after every
 * command showed as four more. A count, about the same on any machine.
 */
import { startServer } from "./bench-server.js";
import type { BenchConfig } from "./config.js";
import { ecrClient } from "./ecr-client.js";
import { processCpuMs, throughput } from "./measure.js";
import type { BenchDatabase } from "./postgres-schemas.js";
import type { Row } from "./report.js";
import { fakeBlob, imageManifest as manifestOf } from "./workload.js";

const config = fakeBlob("served/config", 1_469);
const layers = [fakeBlob("served/layer", 31_357_624)];

export async function benchServedPutImage(bench: BenchConfig, database: BenchDatabase): Promise<Row[]> {
  const server = await startServer("berth-lenient", { url: database.url, schema: database.schema("served") });
  try {
    const call = ecrClient(server.endpoint);
    const repositoryName = "bench/served";
    await call("CreateRepository", JSON.stringify({ repositoryName }));
    let puts = 0;
    const put = () => {
      const n = puts++;
      const imageManifest = manifestOf(config, layers, `served-${n}`);
      return call("PutImage", JSON.stringify({ repositoryName, imageManifest, imageTag: `v${n}` }));
    };
    const sent = async () => (await server.statementsSent?.()) ?? Number.NaN;
    await throughput(put, { seconds: bench.warmupSeconds / 2 });
    const [before, putsBefore, cpuBefore] = [await sent(), puts, processCpuMs(server.pid)];
    const measured = await throughput(put, { seconds: bench.commandSeconds * bench.rounds });
    const cpuPerPut = (processCpuMs(server.pid) - cpuBefore) / (puts - putsBefore);
    const perPut = ((await sent()) - before) / (puts - putsBefore);
    return [
      {
        section: "2",
        name: "PutImage over HTTP, serve() on PostgreSQL (workers running), 1 client",
        value: measured.perSecond,
        unit: "ops/s",
        higherIsBetter: true,
      },
      {
        section: "2",
        name: "PutImage over HTTP, serve() on PostgreSQL: server CPU per PutImage",
        value: cpuPerPut,
        unit: "ms",
        higherIsBetter: false,
      },
      {
        section: "2",
        name: "PutImage over HTTP, serve() on PostgreSQL: statements sent per PutImage",
        value: perPut,
        unit: "statements",
        higherIsBetter: false,
        limit: { name: "one append", value: 1, unit: "statements" },
      },
    ];
  } finally {
    await server.stop();
  }
}
