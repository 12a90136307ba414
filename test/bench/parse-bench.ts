/**
 * 6. Parsing ECR bodies: parseRequestBody (one scan, declared members parsed, others skipped) beside
 * JSON.parse of the same bytes (as the server parsed every body before), on the two large bodies a
 * client can send: an unknown member of millions of keys (hostile), and a 20 MiB layer part (legal).
 */
import { LAYER_PART_MAX_BYTES } from "@berth/core";
import { memberNames, parseRequestBody } from "@berth/server";
import type { BenchConfig } from "./config.js";
import { MB, median, now } from "./measure.js";
import type { Row } from "./report.js";

const timedMBs = (bytes: number, runs: number, f: () => unknown): number[] => {
  const rates: number[] = [];
  for (let run = 0; run <= runs; run++) {
    const t0 = now();
    f();
    const seconds = (now() - t0) / 1000;
    if (run > 0) rates.push(bytes / MB / seconds); // the first run warms up
  }
  return rates;
};

export const benchParse = (config: BenchConfig): Row[] => {
  const members = memberNames([
    "repositoryName",
    "registryId",
    "uploadId",
    "partFirstByte",
    "partLastByte",
    "layerPartBlob",
  ]);
  const keys = Array.from({ length: config.parseKeys }, (_, i) => `"k${i}":1`).join(",");
  const hostile = Buffer.from(`{"repositoryName":"team/app","unknownMember":{${keys}}}`);
  const partBytes = config.smoke ? 1024 * 1024 : LAYER_PART_MAX_BYTES;
  const part = Buffer.from(
    JSON.stringify({
      repositoryName: "team/app",
      uploadId: "00000000-0000-4000-8000-000000000000",
      partFirstByte: 0,
      partLastByte: partBytes - 1,
      layerPartBlob: Buffer.alloc(partBytes, 7).toString("base64"),
    }),
  );
  const rows: Row[] = [];
  for (const [what, body] of [
    [`unknown member of ${config.parseKeys.toLocaleString("en-US")} keys`, hostile],
    [`UploadLayerPart, ${partBytes / 1024 / 1024} MiB part`, part],
  ] as const) {
    const jsonParse = timedMBs(body.length, config.parseRuns, () => JSON.parse(body.toString("utf8")));
    const scanned = timedMBs(body.length, config.parseRuns, () => parseRequestBody(body, members));
    const size = `${(body.length / MB).toFixed(1)} MB`;
    const limit = { name: "JSON.parse, same bytes", value: median(jsonParse), unit: "MB/s" };
    rows.push({
      section: "6",
      name: `ECR body parse: ${what} (${size})`,
      value: median(scanned),
      unit: "MB/s",
      higherIsBetter: true,
      limit,
      details: { bytes: body.length, scanned, jsonParse },
    });
  }
  return rows;
};
