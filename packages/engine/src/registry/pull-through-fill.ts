/**
 * The fill of a pull-through cache: a pull of an image or blob a cache repository does not hold yet
 * fetches it from the upstream the core says covers the repository, and stores it through the
 * registry's own commands (CreateRepository, the layer-upload saga, PutImage), so every fact is in
 * the log and a crash at any step leaves nothing half-visible: blobs are hashed on their way into
 * the blob store and a digest mismatch stores nothing; a manifest is stored only once every blob
 * and child manifest it references is. Concurrent pulls of one missing image share one fill in a
 * process; across processes the commands are idempotent (OCI rules), so a race stores it once.
 */
import {
  Digest,
  findRepository,
  type ImageTag,
  isUpstreamCheckDue,
  MediaType,
  manifestDigest,
  parseManifest,
  pullThroughCacheRepositoryCommand,
  pullThroughSourceOf,
  type RegistryError,
  RegistryErrors,
  repositoryBlob,
  type Timestamp,
} from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import {
  DEFAULT_PULL_THROUGH_REFRESH_MS,
  noUpstream,
  type PullThroughOptions,
  type UpstreamRegistry,
  type UpstreamRepository,
  UpstreamUnavailableError,
} from "../ports/upstream-registry.js";
import type { ImageOperations } from "./image-operations.js";
import type { LayerOperations } from "./layer-operations.js";
import type { RegistryRuntime, RepositoryRef } from "./registry-runtime.js";

type Filled = E.Either<RegistryError, void>;
const done: Filled = E.right(undefined);

/** A failure of one fill step, with the message the caller's error carries. */
class FillError extends Error {}

export interface PullThroughFill {
  /** Makes sure the image is held (fetching it when a rule covers the repository); Left when it cannot be had. */
  ensureImage(
    ref: RepositoryRef,
    imageId: { readonly imageDigest?: string; readonly imageTag?: string },
  ): Promise<Filled>;
  /** Makes sure the blob is held (fetching it when a rule covers the repository). */
  ensureBlob(ref: RepositoryRef, digest: string): Promise<Filled>;
  /** The upstream repository behind a cache repository, when a rule covers it. */
  sourceOf(ref: RepositoryRef): UpstreamRepository | undefined;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** How many blobs of one image are fetched at once (registries serve several; clients pull so too). */
const BLOBS_AT_ONCE = 3;

/** `f` over `items`, at most `limit` running at a time; results in the items' order. */
const eachAtMost = async <T, R>(limit: number, items: ReadonlyArray<T>, f: (item: T) => Promise<R>) => {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await f(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};

/** What the steps of a fill share. */
interface Fill {
  readonly runtime: RegistryRuntime;
  readonly layers: LayerOperations;
  readonly images: Pick<ImageOperations, "putImage">;
  readonly upstream: UpstreamRegistry;
  /** Fills one blob once however many ask (see `createPullThroughFill`). */
  readonly fillBlob: (ref: RepositoryRef, from: UpstreamRepository, digest: Digest) => Promise<Filled>;
}

const ensureRepository = async ({ handler, now }: RegistryRuntime, ref: RepositoryRef) => {
  if (findRepository(handler.state, ref.registryId, ref.repositoryName) !== undefined) return;
  const created = await handler.execute(
    pullThroughCacheRepositoryCommand(ref.registryId, ref.repositoryName, now()),
  );
  if (E.isLeft(created) && created.left._tag !== "RepositoryAlreadyExistsException") {
    throw new FillError(created.left.message);
  }
};

const holdsBlob = ({ handler }: RegistryRuntime, ref: RepositoryRef, digest: Digest) => {
  const held = repositoryBlob(handler.state, { ...ref, digest });
  return E.isRight(held) && held.right !== undefined;
};

/** Streams one blob from upstream into a fresh upload of the repository; its digest is checked on completion. */
const fetchBlob = async (fill: Fill, ref: RepositoryRef, from: UpstreamRepository, digest: Digest) => {
  const { layers } = fill;
  await ensureRepository(fill.runtime, ref);
  const arriving = await fill.upstream.getBlob(from, digest);
  // A stream the upstream breaks off fails the upload; the saga may wrap its error, so note it here.
  let broken: unknown;
  const bytes = (async function* () {
    try {
      yield* arriving;
    } catch (error) {
      broken = error;
      throw error;
    }
  })();
  const initiated = await layers.initiateLayerUpload(ref);
  if (E.isLeft(initiated)) throw new FillError(initiated.left.message);
  const upload = { ...ref, uploadId: initiated.right.uploadId };
  try {
    const appended = await layers.appendToLayerUpload({ ...upload, bytes });
    if (E.isLeft(appended)) throw new FillError(appended.left.message);
  } catch (error) {
    await layers.discardLayerUpload({ ...upload, reason: "the upstream blob did not arrive whole" });
    throw broken === undefined ? error : new FillError(messageOf(broken));
  }
  const completed = await layers.completeLayerUpload({ ...upload, layerDigests: [digest], rules: "oci" });
  // Another process filling the same image may have linked it first: then it is held, as wanted.
  if (E.isLeft(completed) && completed.left._tag !== "LayerAlreadyExistsException") {
    throw new FillError(`blob ${digest} from upstream: ${completed.left.message}`);
  }
};

/** The upstream manifest as text, checked against the digest it was asked by. */
const fetchManifest = async (fill: Fill, from: UpstreamRepository, reference: string) => {
  const manifest = await fill.upstream.getManifest(from, reference);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(manifest.bytes);
  } catch {
    throw new FillError(`the manifest of ${reference} is not UTF-8 text`);
  }
  const digest = manifestDigest(text);
  if (Digest.is(reference) && digest !== reference) {
    throw new FillError(`the upstream answered a manifest whose digest is ${digest}, not ${reference}`);
  }
  const declared = manifest.mediaType?.split(";")[0]?.trim();
  const parsed = parseManifest(text, declared !== undefined && MediaType.is(declared) ? declared : undefined);
  if (E.isLeft(parsed)) throw new FillError(parsed.left.message);
  return { text, parsed: parsed.right };
};

/** Fetches a manifest, then what it references, then stores it (under `tag` when pulled by tag). */
const fetchImage = async (
  fill: Fill,
  ref: RepositoryRef,
  from: UpstreamRepository,
  reference: string,
  tag: ImageTag | undefined,
): Promise<void> => {
  const { handler } = fill.runtime;
  const { text, parsed } = await fetchManifest(fill, from, reference);
  await ensureRepository(fill.runtime, ref);
  for (const child of parsed.children) {
    if (!findRepository(handler.state, ref.registryId, ref.repositoryName)?.images.has(child)) {
      await fetchImage(fill, ref, from, child, undefined);
    }
  }
  const filled = await eachAtMost(BLOBS_AT_ONCE, parsed.blobs, (blob) => fill.fillBlob(ref, from, blob));
  const failed = filled.find(E.isLeft);
  if (failed !== undefined) throw new FillError(failed.left.message);
  const put = await fill.images.putImage({
    ...ref,
    imageManifest: text,
    imageManifestMediaType: parsed.mediaType,
    ...(tag === undefined ? {} : { imageTag: tag }),
    rules: "oci",
  });
  if (E.isLeft(put)) throw new FillError(put.left.message);
};

/** An upstream failure or a fill step refused as a RegistryError; anything else is a fault of Berth's. */
const failedAs =
  (error: (message: string) => RegistryError, what: string, from: UpstreamRepository) =>
  (failure: unknown): Filled => {
    if (!(failure instanceof UpstreamUnavailableError || failure instanceof FillError)) throw failure;
    return E.left(
      error(
        `Unable to get ${what} of '${from.repository}' from the upstream registry ${from.url}: ${failure.message}`,
      ),
    );
  };

export const createPullThroughFill = (
  runtime: RegistryRuntime,
  layers: LayerOperations,
  images: Pick<ImageOperations, "putImage">,
  options: PullThroughOptions,
): PullThroughFill => {
  const { handler, now } = runtime;
  const refreshMs = options.pullThroughRefreshMs ?? DEFAULT_PULL_THROUGH_REFRESH_MS;
  const inflight = new Map<string, Promise<Filled>>();
  /** When each cached tag was last found current upstream by this process. */
  const checkedAt = new Map<string, Timestamp>();

  /** One fill per key at a time: a second caller waits for the first's outcome. */
  const once = (key: string, work: () => Promise<Filled>): Promise<Filled> => {
    const running = inflight.get(key);
    if (running !== undefined) return running;
    const started = work().finally(() => inflight.delete(key));
    inflight.set(key, started);
    return started;
  };
  const fill: Fill = {
    runtime,
    layers,
    images,
    upstream: options.upstream ?? noUpstream,
    fillBlob: (ref, from, digest) =>
      once(`blob ${ref.registryId}/${ref.repositoryName}@${digest}`, () =>
        holdsBlob(runtime, ref, digest)
          ? Promise.resolve(done)
          : fetchBlob(fill, ref, from, digest).then(
              () => done,
              failedAs(RegistryErrors.unableToGetUpstreamLayer, `layer ${digest}`, from),
            ),
      ),
  };
  const fillImage = (
    ref: RepositoryRef,
    from: UpstreamRepository,
    reference: string,
    tag: ImageTag | undefined,
  ) =>
    once(`image ${ref.registryId}/${ref.repositoryName}:${reference}`, () =>
      fetchImage(fill, ref, from, reference, tag).then(
        () => done,
        failedAs(RegistryErrors.unableToGetUpstreamImage, `image '${reference}'`, from),
      ),
    );

  const sourceOf = (ref: RepositoryRef): UpstreamRepository | undefined => {
    const source = pullThroughSourceOf(handler.state, ref.registryId, ref.repositoryName);
    if (source === undefined) return undefined;
    const arn = source.rule.credentialArn;
    const credentials = arn === undefined ? undefined : options.upstreamCredentials?.get(arn);
    return {
      url: source.upstreamUrl,
      repository: source.upstreamRepository,
      ...(credentials === undefined ? {} : { credentials }),
    };
  };

  /** A tag: filled when missing; when cached, checked upstream once the refresh interval has passed. */
  const ensureTag = async (ref: RepositoryRef, from: UpstreamRepository, tag: ImageTag): Promise<Filled> => {
    const repository = findRepository(handler.state, ref.registryId, ref.repositoryName);
    const cached = repository?.tags.get(tag);
    const key = `${ref.registryId}/${ref.repositoryName}:${tag}`;
    if (cached !== undefined) {
      const last = checkedAt.get(key) ?? repository?.images.get(cached)?.pushedAt ?? (0 as Timestamp);
      if (!isUpstreamCheckDue(last, now(), refreshMs)) return done;
    }
    const filled = await fillImage(ref, from, tag, tag);
    if (E.isRight(filled)) checkedAt.set(key, now());
    // A newer image upstream has replaced the tag; an upstream gone keeps the cached one.
    return cached === undefined ? filled : done;
  };

  return {
    sourceOf,
    ensureImage: async (ref, imageId) => {
      // Pulls of repositories no rule covers (most) pay nothing: the state the process holds already
      // says so. A rule another process created a moment ago applies from the next catch-up.
      if (sourceOf(ref) === undefined) return done;
      await handler.catchUp();
      const from = sourceOf(ref);
      if (from === undefined) return done;
      if (imageId.imageDigest !== undefined) {
        const held = findRepository(handler.state, ref.registryId, ref.repositoryName)?.images.has(
          imageId.imageDigest as Digest,
        );
        return held ? done : fillImage(ref, from, imageId.imageDigest, undefined);
      }
      return imageId.imageTag === undefined ? done : ensureTag(ref, from, imageId.imageTag as ImageTag);
    },
    ensureBlob: async (ref, digest) => {
      if (sourceOf(ref) === undefined) return done;
      await handler.catchUp();
      const from = sourceOf(ref);
      if (from === undefined || !Digest.is(digest) || holdsBlob(runtime, ref, digest)) return done;
      return fill.fillBlob(ref, from, digest);
    },
  };
};
