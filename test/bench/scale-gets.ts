/**
 * The manifest GETs of the scale section, against a started Berth: `GET /v2/<repo>/manifests/<digest>`
 * of images drawn at random from the whole log, one after another over keep-alive.
 *
 * A GET is a pull, and the first pull of an image in a day records its pull time (a RecordImagePulls
 * command the GET does not wait for; the process gathers the pulls of a quarter second into one).
 * So each image is pulled twice: first pulls (each due for a record), then, once those records are
 * in the log, the same images again (nothing to record). A first pull that fails (503 when the
 * writes hold every PostgreSQL connection) is counted; after
 * `MAX_FAILURES` of them the pass stops, so a saturated pool costs seconds, not hours.
 */

import { request } from "./http-client.js";
import { now, seededRandom } from "./measure.js";
import type { BenchDatabase } from "./postgres-schemas.js";
import { type ScaleImage, type ScaleShape, scaleImage } from "./scale-log.js";

const MAX_FAILURES = 10;

export interface GetPass {
  /** Milliseconds of each GET answered 200 with the manifest. */
  readonly ms: ReadonlyArray<number>;
  readonly failures: number;
  readonly firstFailure?: string;
  /** How many GETs were sent (fewer than asked when the pass stopped on failures). */
  readonly sent: number;
}

export interface Gets {
  /** Process start (the fork) → the first GET answered, whatever its status. */
  readonly firstAnswerMs: number;
  readonly firstPulls: GetPass;
  readonly repeatPulls: GetPass;
  /** Waiting for the pull records of the first pass to reach the log. */
  readonly settle: { readonly ms: number; readonly pullRecords: number; readonly settled: boolean };
}

const getOne = async (port: number, image: ScaleImage): Promise<string | undefined> => {
  const answer = await request(
    `http://127.0.0.1:${port}/v2/${image.repositoryName}/manifests/${image.digest}`,
    {
      method: "GET",
      headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
    },
  );
  if (answer.status === 200 && answer.body.toString("utf8") === image.manifest) return undefined;
  return `${answer.status} ${answer.body.toString("utf8").slice(0, 240)}`;
};

/** GETs `images` in turn; returns the times of those answered, and which were. */
async function getPass(port: number, images: ReadonlyArray<ScaleImage>) {
  const ms: number[] = [];
  const answered: ScaleImage[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  let sent = 0;
  for (const image of images) {
    if (failures >= MAX_FAILURES) break;
    sent++;
    const started = now();
    const failure = await getOne(port, image);
    if (failure === undefined) {
      ms.push(now() - started);
      answered.push(image);
    } else {
      failures++;
      firstFailure ??= failure;
    }
  }
  const pass: GetPass = { ms, failures, sent, ...(firstFailure === undefined ? {} : { firstFailure }) };
  return { pass, answered };
}

/** The images the log's pull records name, in all. */
const imagesRecorded = (schema: string) =>
  `select coalesce(sum(jsonb_array_length(p->'imageDigests')), 0) as n
   from "${schema}".events, jsonb_array_elements(data->'pulls') as p where type = 'ImagePullsRecorded'`;

/** Waits until the count of images pull records name stops growing for a second (at most `seconds`). */
async function waitForPullRecords(database: BenchDatabase, schema: string, seconds: number) {
  const started = now();
  return database.withClient(async (client) => {
    const count = async () => Number((await client.query(imagesRecorded(schema))).rows[0].n);
    let last = await count();
    for (let still = 0; still < 4 && now() - started < seconds * 1000; ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const n = await count();
      still = n === last ? still + 1 : 0;
      last = n;
    }
    return { ms: now() - started, pullRecords: last, settled: now() - started < seconds * 1000 };
  });
}

/** The GETs of one start: `count` random images (from `seed`), pulled first, then again. */
export async function measureGets(
  database: BenchDatabase,
  schema: string,
  options: { port: number; shape: ScaleShape; count: number; seed: number; forkedAt: number },
): Promise<Gets> {
  const random = seededRandom(options.seed);
  const images = Array.from({ length: options.count }, () =>
    scaleImage(options.shape, Math.floor(random() * options.shape.images)),
  );
  // The first GET is also the first answer after the start (its figure is the time since the fork).
  const firstFailure = await getOne(options.port, images[0]!);
  const firstAnswerMs = now() - options.forkedAt;
  const first = await getPass(options.port, images.slice(1));
  const firstPulls: GetPass =
    firstFailure === undefined
      ? first.pass
      : { ...first.pass, sent: first.pass.sent + 1, failures: first.pass.failures + 1, firstFailure };
  const settle = await waitForPullRecords(database, schema, 120);
  const repeat = await getPass(options.port, first.answered);
  return { firstAnswerMs, firstPulls, repeatPulls: repeat.pass, settle };
}
