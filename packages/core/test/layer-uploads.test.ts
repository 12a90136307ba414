/**
 * Layer uploads (InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload, DiscardLayerUpload) and
 * MountLayer as given/when/then examples. The core never sees bytes: parts are lengths, and what
 * was received arrives measured (here honestly, with node:crypto).
 */
import { ByteOffset, DEFAULT_UPLOAD_TTL_MS, findLayer } from "@berth/core";
import {
  branded,
  concatBytes,
  EXAMPLE_TIME,
  layerBlobOf,
  sha256Digest,
  registrySpecification as spec,
  uploadIdFrom,
} from "@berth/testkit";
import { describe, expect, it } from "vitest";
import { app, c, given, other, ref } from "./example-registry.js";

const MiB = 1024 * 1024;
const bytes = (n: number) => branded(ByteOffset, n);
const uploadId = uploadIdFrom("upload");
const blob = layerBlobOf("the bytes of a layer");
const opened = [c.createRepository(app), c.initiateLayerUpload(app, uploadId)];
/** The upload holds `blob` in two parts. */
const holdingBlob = [
  ...opened,
  c.uploadLayerPart(app, uploadId, 0, 8),
  c.uploadLayerPart(app, uploadId, 8, blob.size - 8),
];

describe("InitiateLayerUpload", () => {
  it("opens an upload session", () =>
    spec(given(c.createRepository(app)))
      .when(c.initiateLayerUpload(app, uploadId))
      .then([
        {
          type: "LayerUploadInitiated",
          data: {
            ...ref,
            uploadId,
            initiatedAt: EXAMPLE_TIME,
            expiresAt: EXAMPLE_TIME + DEFAULT_UPLOAD_TTL_MS,
          },
        },
      ]));

  it("refuses an unknown repository: RepositoryNotFoundException", () =>
    spec().when(c.initiateLayerUpload(app, uploadId)).thenFails("RepositoryNotFoundException"));

  it("refuses an upload id in use: InvalidParameterException", () =>
    spec(given(opened))
      .when(c.initiateLayerUpload(app, uploadId))
      .thenFails("InvalidParameterException", { message: expect.stringContaining(uploadId) }));

  it("refuses an upload id in use in another repository: InvalidParameterException", () =>
    spec(given(opened, c.createRepository(other)))
      .when(c.initiateLayerUpload(other, uploadId))
      .thenFails("InvalidParameterException"));
});

describe("UploadLayerPart", () => {
  it("accepts a first part starting at byte 0, into the upload's own stream", () =>
    spec(given(opened))
      .when(c.uploadLayerPart(app, uploadId, 0, 10))
      .then([{ type: "LayerPartUploaded", data: { ...ref, uploadId, partFirstByte: 0, partLastByte: 9 } }]));

  it("accepts a part that starts where the upload ends", () =>
    spec(given(opened, c.uploadLayerPart(app, uploadId, 0, 10)))
      .when(c.uploadLayerPart(app, uploadId, 10, 5))
      .then((events, after) => {
        expect(events).toEqual([
          { type: "LayerPartUploaded", data: { ...ref, uploadId, partFirstByte: 10, partLastByte: 14 } },
        ]);
        expect(after.uploads.get(uploadId)?.bytesReceived).toBe(15);
      }));

  it("refuses a part that does not start where the upload ends: InvalidLayerPartException", () =>
    spec(given(opened, c.uploadLayerPart(app, uploadId, 0, 10)))
      .when(c.uploadLayerPart(app, uploadId, 11, 5))
      .thenFails("InvalidLayerPartException", { ...ref, uploadId, lastValidByteReceived: 9 }));

  it("refuses a part that starts again at 0: InvalidLayerPartException", () =>
    spec(given(opened, c.uploadLayerPart(app, uploadId, 0, 10)))
      .when(c.uploadLayerPart(app, uploadId, 0, 10))
      .thenFails("InvalidLayerPartException", { lastValidByteReceived: 9 }));

  it("refuses a first part that does not start at 0, saying no byte is valid yet: InvalidLayerPartException", () =>
    spec(given(opened))
      .when(c.uploadLayerPart(app, uploadId, 1, 10))
      .thenFails("InvalidLayerPartException", { lastValidByteReceived: -1 }));

  it("refuses a part whose range is not its length: InvalidLayerPartException", () =>
    spec(given(opened))
      .when(c.uploadLayerPart(app, uploadId, 0, 10, 10))
      .thenFails("InvalidLayerPartException", { message: expect.stringContaining("11 bytes but holds 10") }));

  it("refuses a part that ends before it starts: InvalidLayerPartException", () =>
    spec(given(opened, c.uploadLayerPart(app, uploadId, 0, 10)))
      .when(c.uploadLayerPart(app, uploadId, 10, 0, 9))
      .thenFails("InvalidLayerPartException", { lastValidByteReceived: 9 }));

  it.each([[[]], [[blob.digest, blob.digest]]])(
    "refuses layerDigests %j, which is not exactly one digest, before anything else: InvalidParameterException",
    (layerDigests) =>
      spec(given())
        .when(c.completeLayerUpload(other, uploadId, blob, { layerDigests }))
        .thenFails("InvalidParameterException", {
          message: `Invalid parameter: layerDigests must hold exactly one digest, it holds ${layerDigests.length}`,
        }),
  );

  it("refuses an unknown upload: UploadNotFoundException", () =>
    spec(given(c.createRepository(app)))
      .when(c.uploadLayerPart(app, uploadId, 0, 10))
      .thenFails("UploadNotFoundException", { message: expect.stringContaining(uploadId) }));

  it("refuses an upload of another repository: UploadNotFoundException", () =>
    spec(given(opened, c.createRepository(other)))
      .when(c.uploadLayerPart(other, uploadId, 0, 10))
      .thenFails("UploadNotFoundException"));

  it("refuses an unknown repository: RepositoryNotFoundException", () =>
    spec(given(opened))
      .when(c.uploadLayerPart(other, uploadId, 0, 10))
      .thenFails("RepositoryNotFoundException"));
});

describe("CompleteLayerUpload", () => {
  it("makes the received bytes a layer of the repository and closes the session", () =>
    spec(given(holdingBlob))
      .when(c.completeLayerUpload(app, uploadId, blob, { rules: "oci" }))
      .then((events, after) => {
        expect(events).toEqual([
          {
            type: "LayerUploadCompleted",
            data: { ...ref, uploadId, layerDigest: blob.digest, size: blob.size, completedAt: EXAMPLE_TIME },
          },
        ]);
        expect(after.uploads.has(uploadId)).toBe(false);
        const repository = [...after.repositories.values()][0]!;
        expect(findLayer(after, repository, blob.digest)).toEqual({ digest: blob.digest, size: blob.size });
      }));

  it("digests the concatenated parts, not any one of them", () => {
    const parts = [new TextEncoder().encode("first "), new TextEncoder().encode("second")];
    const whole = concatBytes(parts);
    spec(given(opened, c.uploadLayerPart(app, uploadId, 0, 6), c.uploadLayerPart(app, uploadId, 6, 6)))
      .when(
        c.completeLayerUpload(
          app,
          uploadId,
          { digest: sha256Digest(whole), size: bytes(12) },
          { rules: "oci" },
        ),
      )
      .then((events) =>
        expect(events).toMatchObject([{ data: { layerDigest: sha256Digest("first second"), size: 12 } }]),
      );
  });

  it("refuses an upload without parts: EmptyUploadException", () =>
    spec(given(opened))
      .when(c.completeLayerUpload(app, uploadId, blob))
      .thenFails("EmptyUploadException"));

  it("accepts, for OCI, an upload without parts as the empty blob", () => {
    const empty = layerBlobOf(new Uint8Array());
    spec(given(opened))
      .when(c.completeLayerUpload(app, uploadId, empty, { rules: "oci" }))
      .then((events) =>
        expect(events).toMatchObject([
          {
            type: "LayerUploadCompleted",
            data: {
              layerDigest: "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
              size: 0,
            },
          },
        ]),
      );
  });

  it("refuses, for OCI, an empty upload declared with another digest: InvalidLayerException", () =>
    spec(given(opened))
      .when(
        c.completeLayerUpload(app, uploadId, layerBlobOf(new Uint8Array()), {
          declared: blob.digest,
          rules: "oci",
        }),
      )
      .thenFails("InvalidLayerException"));

  it("refuses, for ECR, a non-final part under 5 MiB: LayerPartTooSmallException", () =>
    spec(
      given(
        opened,
        c.uploadLayerPart(app, uploadId, 0, 5 * MiB - 1),
        c.uploadLayerPart(app, uploadId, 5 * MiB - 1, 10),
      ),
    )
      .when(
        c.completeLayerUpload(
          app,
          uploadId,
          { digest: blob.digest, size: bytes(5 * MiB + 9) },
          { rules: "ecr" },
        ),
      )
      .thenFails("LayerPartTooSmallException", {
        message: expect.stringContaining("part 1 is 5242879 bytes"),
      }));

  it("accepts, for ECR, non-final parts of 5 MiB and a smaller final part", () =>
    spec(
      given(
        opened,
        c.uploadLayerPart(app, uploadId, 0, 5 * MiB),
        c.uploadLayerPart(app, uploadId, 5 * MiB, 1),
      ),
    )
      .when(c.completeLayerUpload(app, uploadId, { digest: blob.digest, size: bytes(5 * MiB + 1) }))
      .then((events) => expect(events.map((e) => e.type)).toEqual(["LayerUploadCompleted"])));

  it("accepts small non-final parts in a lenient registry, as moto does", () =>
    spec(given(c.putRegistrySettings(true), holdingBlob))
      .when(c.completeLayerUpload(app, uploadId, blob, { rules: "ecr" }))
      .then((events) => expect(events.map((e) => e.type)).toEqual(["LayerUploadCompleted"])));

  it("accepts, for OCI chunked uploads, small non-final parts", () =>
    spec(given(holdingBlob))
      .when(c.completeLayerUpload(app, uploadId, blob, { rules: "oci" }))
      .then((events) => expect(events.map((e) => e.type)).toEqual(["LayerUploadCompleted"])));

  it("refuses a declared digest that is not what was received: InvalidLayerException", () =>
    spec(given(holdingBlob))
      .when(
        c.completeLayerUpload(app, uploadId, blob, {
          declared: sha256Digest("something else"),
          rules: "oci",
        }),
      )
      .thenFails("InvalidLayerException", { message: expect.stringContaining(blob.digest) }));

  it("refuses a received size that is not the sum of the parts: InvalidLayerException", () =>
    spec(given(holdingBlob))
      .when(
        c.completeLayerUpload(
          app,
          uploadId,
          { digest: blob.digest, size: bytes(blob.size + 1) },
          {
            rules: "oci",
          },
        ),
      )
      .thenFails("InvalidLayerException", { message: expect.stringContaining("add up to") }));

  it.each(["sha512:abcd", `sha256:${"A".repeat(64)}`, "sha256:1234", "not a digest"])(
    "refuses the declared digest %s, which Berth cannot store: InvalidLayerException",
    (declared) =>
      spec(given(holdingBlob))
        .when(c.completeLayerUpload(app, uploadId, blob, { declared, rules: "oci" }))
        .thenFails("InvalidLayerException"),
  );

  it("refuses a layer the repository already has: LayerAlreadyExistsException", () => {
    const second = uploadIdFrom("second");
    spec(
      given(
        c.createRepository(app),
        c.uploadLayer(app, blob),
        c.initiateLayerUpload(app, second),
        c.uploadLayerPart(app, second, 0, blob.size),
      ),
    )
      .when(c.completeLayerUpload(app, second, blob))
      .thenFails("LayerAlreadyExistsException", { message: expect.stringContaining(blob.digest) });
  });

  it("refuses an unknown upload: UploadNotFoundException", () =>
    spec(given(c.createRepository(app)))
      .when(c.completeLayerUpload(app, uploadId, blob))
      .thenFails("UploadNotFoundException"));

  it("refuses a finished upload: UploadNotFoundException", () =>
    spec(given(holdingBlob, c.completeLayerUpload(app, uploadId, blob, { rules: "oci" })))
      .when(c.completeLayerUpload(app, uploadId, blob, { rules: "oci" }))
      .thenFails("UploadNotFoundException"));

  it("refuses a discarded upload: UploadNotFoundException", () =>
    spec(given(holdingBlob, c.discardLayerUpload(app, uploadId)))
      .when(c.completeLayerUpload(app, uploadId, blob, { rules: "oci" }))
      .thenFails("UploadNotFoundException"));

  it("refuses an upload of another repository: UploadNotFoundException", () =>
    spec(given(holdingBlob, c.createRepository(other)))
      .when(c.completeLayerUpload(other, uploadId, blob, { rules: "oci" }))
      .thenFails("UploadNotFoundException", { message: expect.stringContaining("team/other") }));

  it("refuses an upload whose repository was deleted and created again: UploadNotFoundException", () =>
    spec(given(holdingBlob, c.deleteRepository(app), c.createRepository(app)))
      .when(c.completeLayerUpload(app, uploadId, blob, { rules: "oci" }))
      .thenFails("UploadNotFoundException"));

  it("refuses parts for an upload whose repository was deleted: UploadNotFoundException", () =>
    spec(given(holdingBlob, c.deleteRepository(app), c.createRepository(app)))
      .when(c.uploadLayerPart(app, uploadId, blob.size, 1))
      .thenFails("UploadNotFoundException"));

  it("frees the upload id of a deleted repository's session", () =>
    spec(given(holdingBlob, c.deleteRepository(app), c.createRepository(app)))
      .when(c.initiateLayerUpload(app, uploadId))
      .then((events) => expect(events.map((e) => e.type)).toEqual(["LayerUploadInitiated"])));
});

describe("DiscardLayerUpload", () => {
  it("closes the session without a layer", () =>
    spec(given(holdingBlob))
      .when(c.discardLayerUpload(app, uploadId, "digest mismatch"))
      .then((events, after) => {
        expect(events).toEqual([
          { type: "LayerUploadDiscarded", data: { ...ref, uploadId, reason: "digest mismatch" } },
        ]);
        expect(after.uploads.size).toBe(0);
        expect([...after.repositories.values()][0]?.layers.size).toBe(0);
      }));

  it("refuses an unknown upload: UploadNotFoundException", () =>
    spec(given(c.createRepository(app)))
      .when(c.discardLayerUpload(app, uploadId))
      .thenFails("UploadNotFoundException"));
});

describe("MountLayer", () => {
  const withLayerInOther = [
    c.createRepository(app),
    c.createRepository(other),
    ...c.uploadLayer(other, blob),
  ];

  it("links a layer of another repository, with its size", () =>
    spec(given(withLayerInOther))
      .when(c.mountLayer(app, other, blob.digest))
      .then([
        {
          type: "LayerLinked",
          data: {
            ...ref,
            layerDigest: blob.digest,
            size: blob.size,
            fromRepository: other,
            linkedAt: EXAMPLE_TIME,
          },
        },
      ]));

  it("records nothing for a layer the repository already has", () =>
    spec(given(withLayerInOther, c.mountLayer(app, other, blob.digest)))
      .when(c.mountLayer(app, other, blob.digest))
      .thenNothingHappens());

  it("refuses a layer the source repository lacks: LayersNotFoundException", () =>
    spec(given(c.createRepository(app), c.createRepository(other)))
      .when(c.mountLayer(app, other, blob.digest))
      .thenFails("LayersNotFoundException", { message: expect.stringContaining(blob.digest) }));

  it("refuses a source repository that does not exist: LayersNotFoundException", () =>
    spec(given(c.createRepository(app)))
      .when(c.mountLayer(app, other, blob.digest))
      .thenFails("LayersNotFoundException"));

  it("refuses an unknown target repository: RepositoryNotFoundException", () =>
    spec(given(c.createRepository(other), c.uploadLayer(other, blob)))
      .when(c.mountLayer(app, other, blob.digest))
      .thenFails("RepositoryNotFoundException"));
});
