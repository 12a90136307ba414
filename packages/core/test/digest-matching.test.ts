/**
 * DESIGN §3.1, digest matching: an image is stored under exactly sha256(manifest bytes as sent), and
 * manifests round-trip byte-exact; a layer completes iff the declared digest is the sha256 of the
 * concatenated parts. Digests are computed here with node:crypto, independently of the core.
 */
import { createHash } from "node:crypto";
import { type BerthCommand, batchGetImage, describeImages, type RegistryState } from "@berth/core";
import {
  concatBytes,
  digestArb,
  foldWith,
  historyFrom,
  imageManifestArb,
  imageTagArb,
  indexManifestArb,
  type LayerBlob,
  layerBlobArb,
  layerBlobsArb,
  partsArb,
  registryDecider,
  sha256Digest,
  uploadIdFrom,
} from "@berth/testkit";
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { app, c, ref } from "./example-registry.js";

const nodeDigest = (text: string) =>
  `sha256:${createHash("sha256").update(Buffer.from(text, "utf8")).digest("hex")}`;

const repositoryHolding = (blobs: ReadonlyArray<LayerBlob>): RegistryState =>
  foldWith(
    registryDecider,
    historyFrom(registryDecider, [
      c.createRepository(app),
      ...blobs.flatMap((blob) => c.uploadLayer(app, blob)),
    ]),
  );

const decideAndFold = (state: RegistryState, command: BerthCommand) => {
  const decision = registryDecider.decide(state, command);
  if (E.isLeft(decision)) throw new Error(`refused: ${decision.left._tag}: ${decision.left.message}`);
  return { events: decision.right, state: foldWith(registryDecider, decision.right, state) };
};

/** Blobs, and an image manifest over them written in a random (valid, odd) way. */
const imageCaseArb = layerBlobsArb({ minLength: 1, maxLength: 3 }).chain((blobs) =>
  fc
    .tuple(fc.subarray(blobs), imageTagArb())
    .chain(([layers, tag]) => imageManifestArb(blobs[0]!, layers).map((draft) => ({ blobs, draft, tag }))),
);

describe("PutImage", () => {
  it("stores the image under the sha256 of the manifest's UTF-8 bytes, and serves them back byte-exact", () => {
    fc.assert(
      fc.property(imageCaseArb, ({ blobs, draft, tag }) => {
        const { events, state } = decideAndFold(repositoryHolding(blobs), c.putImage(app, draft, { tag }));
        const digest = nodeDigest(draft.manifest);
        expect(events).toMatchObject([
          { type: "ImagePushed", data: { imageDigest: digest, imageManifest: draft.manifest } },
        ]);

        const described = describeImages(state, ref);
        expect(E.isRight(described) && described.right.imageDetails.map((d) => d.imageDigest)).toEqual([
          digest,
        ]);

        for (const imageId of [
          { imageDigest: digest },
          { imageTag: tag },
          { imageDigest: digest, imageTag: tag },
        ]) {
          const got = batchGetImage(state, { ...ref, imageIds: [imageId] });
          if (E.isLeft(got)) throw new Error(got.left.message);
          // The text is the event's (checked above): the engine serves it from the log.
          expect(got.right.images[0]?.imageId.imageDigest).toBe(digest);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("stores an index under the sha256 of its bytes too", () => {
    fc.assert(
      fc.property(
        imageCaseArb.chain((c) => indexManifestArb([c.draft]).map((index) => ({ ...c, index }))),
        ({ blobs, draft, index }) => {
          const { state } = decideAndFold(repositoryHolding(blobs), c.putImage(app, draft));
          const { events } = decideAndFold(state, c.putImage(app, index));
          expect(events).toMatchObject([
            {
              type: "ImagePushed",
              data: { imageDigest: nodeDigest(index.manifest), children: [draft.digest] },
            },
          ]);
        },
      ),
      {
        numRuns: 30,
      },
    );
  });

  it("stores the same content written two ways as two images, each under its own digest", () => {
    fc.assert(
      fc.property(
        imageCaseArb.chain((c) => imageManifestArb(c.blobs[0]!, []).map((other) => ({ ...c, other }))),
        ({ blobs, draft, other }) => {
          const rewritten = JSON.stringify(JSON.parse(draft.manifest));
          fc.pre(rewritten !== draft.manifest);
          let state = decideAndFold(repositoryHolding(blobs), c.putImage(app, draft)).state;
          state = decideAndFold(state, c.putImage(app, rewritten)).state;
          const described = describeImages(state, ref);
          expect(E.isRight(described) && described.right.imageDetails.map((d) => d.imageDigest)).toEqual([
            nodeDigest(draft.manifest),
            nodeDigest(rewritten),
          ]);
          expect(other.digest).toBe(nodeDigest(other.manifest));
        },
      ),
      {
        numRuns: 30,
      },
    );
  });

  it("refuses a given imageDigest that is not the manifest's with ImageDigestDoesNotMatchException, and accepts the right one", () => {
    fc.assert(
      fc.property(imageCaseArb, digestArb(), ({ blobs, draft }, given) => {
        fc.pre(given !== nodeDigest(draft.manifest));
        const state = repositoryHolding(blobs);
        const wrong = registryDecider.decide(state, c.putImage(app, draft, { digest: given }));
        expect(wrong).toEqual(E.left(expect.objectContaining({ _tag: "ImageDigestDoesNotMatchException" })));
        const right = registryDecider.decide(
          state,
          c.putImage(app, draft, { digest: nodeDigest(draft.manifest) }),
        );
        expect(E.isRight(right)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });
});

/** Layer bytes in random parts, and a declared digest that is right or wrong in several ways. */
const uploadCaseArb = fc
  .tuple(layerBlobArb({ maxLength: 200 }), layerBlobArb({ maxLength: 200 }))
  .chain(([blob, other]) =>
    partsArb(blob.bytes, 5).chain((parts) =>
      fc.record({
        blob: fc.constant(blob),
        parts: fc.constant(parts),
        declared: fc.oneof(
          { weight: 3, arbitrary: fc.constant<string>(blob.digest) },
          { weight: 1, arbitrary: fc.constant<string>(other.digest) },
          { weight: 1, arbitrary: fc.constant<string>(sha256Digest(parts[0]!)) },
          { weight: 1, arbitrary: digestArb() },
          {
            weight: 1,
            arbitrary: fc.constant<string>(blob.digest.toUpperCase().replace("SHA256", "sha256")),
          },
        ),
      }),
    ),
  );

describe("CompleteLayerUpload", () => {
  it("completes iff the declared digest is the sha256 of the concatenated parts", () => {
    fc.assert(
      fc.property(uploadCaseArb, ({ blob, parts, declared }) => {
        const uploadId = uploadIdFrom(declared);
        let offset = 0;
        const partCommands = parts.map((part) => {
          const command = c.uploadLayerPart(app, uploadId, offset, part.length);
          offset += part.length;
          return command;
        });
        const state = foldWith(
          registryDecider,
          historyFrom(registryDecider, [
            c.createRepository(app),
            c.initiateLayerUpload(app, uploadId),
            ...partCommands,
          ]),
        );
        // What a blob store measures while the parts stream in: the digest of all of them, in order.
        const whole = concatBytes(parts);
        const received = { digest: sha256Digest(whole), size: blob.size };
        const decision = registryDecider.decide(
          state,
          c.completeLayerUpload(app, uploadId, received, { declared, rules: "oci" }),
        );
        const matches = declared === `sha256:${createHash("sha256").update(blob.bytes).digest("hex")}`;
        if (matches) {
          expect(decision).toEqual(
            E.right([
              expect.objectContaining({
                type: "LayerUploadCompleted",
                data: expect.objectContaining({ layerDigest: declared, size: blob.size }),
              }),
            ]),
          );
        } else {
          expect(decision).toEqual(E.left(expect.objectContaining({ _tag: "InvalidLayerException" })));
        }
      }),
      { numRuns: 100 },
    );
  });
});
