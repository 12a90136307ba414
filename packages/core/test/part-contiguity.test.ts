/**
 * DESIGN §3.2, part contiguity: a part is accepted iff it starts where the upload ends and its
 * declared range is its length; a rejected part changes nothing and says where the upload ends;
 * after n parts the upload holds the sum of their lengths. The core never sees bytes, so lengths
 * here are just numbers, large ones included (up to ECR's 20 MiB part limit).
 */

import {
  ByteOffset,
  evolve,
  LAYER_PART_MIN_BYTES,
  type RegistryState,
  StreamNames,
  streamOf,
  type UploadRules,
} from "@berth/core";
import { branded, digestArb, foldWith, historyFrom, registryDecider, uploadIdFrom } from "@berth/testkit";
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { app, c, registryId } from "./example-registry.js";

const uploadId = uploadIdFrom("contiguity");
const MiB = 1024 * 1024;

const opened = (): RegistryState =>
  foldWith(
    registryDecider,
    historyFrom(registryDecider, [c.createRepository(app), c.initiateLayerUpload(app, uploadId)]),
  );

type PartKind = "valid" | "wrongFirst" | "wrongLength" | "lastBeforeFirst";
interface PartPlan {
  readonly kind: PartKind;
  readonly length: number;
  readonly delta: number;
}

const lengthArb = fc.oneof(
  fc.integer({ min: 1, max: 4096 }),
  fc.integer({ min: 1, max: LAYER_PART_MIN_BYTES - 1 }),
  fc.constantFrom(LAYER_PART_MIN_BYTES - 1, LAYER_PART_MIN_BYTES, LAYER_PART_MIN_BYTES + 1),
  fc.integer({ min: LAYER_PART_MIN_BYTES, max: 20 * MiB }),
);
const partPlanArb: fc.Arbitrary<PartPlan> = fc.record({
  kind: fc.constantFrom<PartKind>("valid", "valid", "valid", "wrongFirst", "wrongLength", "lastBeforeFirst"),
  length: lengthArb,
  delta: fc
    .oneof(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -10 * MiB, max: 10 * MiB }))
    .filter((d) => d !== 0),
});

/** The part a plan makes, given how many bytes the upload holds. */
const partOf = (plan: PartPlan, received: number) => {
  switch (plan.kind) {
    case "valid":
      return { first: received, last: received + plan.length - 1, length: plan.length };
    case "wrongFirst": {
      const first = Math.max(0, received + plan.delta);
      return { first, last: first + plan.length - 1, length: plan.length };
    }
    case "wrongLength":
      return {
        first: received,
        last: received + plan.length - 1,
        length: Math.max(0, plan.length + plan.delta),
      };
    case "lastBeforeFirst":
      return { first: received, last: Math.max(0, received - Math.abs(plan.delta)), length: plan.length };
  }
};

describe("UploadLayerPart", () => {
  it("accepts a part iff it starts at bytesReceived and spans its length; a rejected part changes nothing", () => {
    fc.assert(
      fc.property(fc.array(partPlanArb, { minLength: 1, maxLength: 12 }), (plans) => {
        let state = opened();
        let received = 0;
        const accepted: number[] = [];
        for (const plan of plans) {
          const part = partOf(plan, received);
          const command = c.uploadLayerPart(app, uploadId, part.first, part.length, part.last);
          const before = structuredClone(state);
          const decision = registryDecider.decide(state, command);
          // Deciding never touches the state, accepted or not.
          expect(state).toEqual(before);
          const ok =
            part.first === received && part.last >= part.first && part.last - part.first + 1 === part.length;
          if (ok) {
            expect(decision).toEqual(
              E.right([
                {
                  type: "LayerPartUploaded",
                  data: {
                    registryId,
                    repositoryName: app,
                    uploadId,
                    partFirstByte: part.first,
                    partLastByte: part.last,
                  },
                },
              ]),
            );
            if (E.isRight(decision)) {
              expect(decision.right.map(streamOf)).toEqual([StreamNames.upload(uploadId)]);
              state = decision.right.reduce(evolve, state);
            }
            received += part.length;
            accepted.push(part.length);
          } else {
            expect(decision).toEqual(
              E.left(
                expect.objectContaining({
                  _tag: "InvalidLayerPartException",
                  registryId,
                  repositoryName: app,
                  uploadId,
                  lastValidByteReceived: received - 1,
                }),
              ),
            );
          }
          expect(state.uploads.get(uploadId)?.bytesReceived).toBe(received);
        }
        expect(state.uploads.get(uploadId)?.bytesReceived).toBe(accepted.reduce((a, b) => a + b, 0));
        expect(state.uploads.get(uploadId)?.partCount).toBe(accepted.length);
      }),
      { numRuns: 120 },
    );
  });
});

describe("CompleteLayerUpload after random parts", () => {
  it("refuses a non-final part under 5 MiB iff ECR's rules apply, naming the first such part", () => {
    fc.assert(
      fc.property(
        fc.array(lengthArb, { maxLength: 6 }),
        fc.constantFrom<UploadRules>("ecr", "oci"),
        digestArb(),
        (lengths, rules, digest) => {
          let offset = 0;
          const parts = lengths.map((length) => {
            const command = c.uploadLayerPart(app, uploadId, offset, length);
            offset += length;
            return command;
          });
          const base = opened();
          const state = foldWith(registryDecider, historyFrom(registryDecider, parts, base), base);
          expect(state.uploads.get(uploadId)?.bytesReceived).toBe(offset);
          const decision = registryDecider.decide(
            state,
            c.completeLayerUpload(app, uploadId, { digest, size: branded(ByteOffset, offset) }, { rules }),
          );
          const short = lengths.slice(0, -1).findIndex((length) => length < LAYER_PART_MIN_BYTES);
          // OCI accepts an upload without parts as the empty blob; ECR refuses it.
          if (lengths.length === 0 && rules === "ecr") {
            expect(decision).toEqual(E.left(expect.objectContaining({ _tag: "EmptyUploadException" })));
          } else if (rules === "ecr" && short >= 0) {
            expect(decision).toEqual(
              E.left(
                expect.objectContaining({
                  _tag: "LayerPartTooSmallException",
                  message: expect.stringContaining(`part ${short + 1} is ${lengths[short]} bytes`),
                }),
              ),
            );
          } else {
            expect(decision).toEqual(
              E.right([
                expect.objectContaining({
                  type: "LayerUploadCompleted",
                  data: expect.objectContaining({ size: offset }),
                }),
              ]),
            );
          }
        },
      ),
      { numRuns: 120 },
    );
  });

  it("refuses a received size that is not the sum of the parts", () => {
    fc.assert(
      fc.property(
        fc.array(lengthArb, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: -5, max: 5 }).filter((d) => d !== 0),
        digestArb(),
        (lengths, delta, digest) => {
          let offset = 0;
          const parts = lengths.map((length) => {
            const command = c.uploadLayerPart(app, uploadId, offset, length);
            offset += length;
            return command;
          });
          const base = opened();
          const state = foldWith(registryDecider, historyFrom(registryDecider, parts, base), base);
          fc.pre(offset + delta >= 0);
          const decision = registryDecider.decide(
            state,
            c.completeLayerUpload(
              app,
              uploadId,
              { digest, size: branded(ByteOffset, offset + delta) },
              { rules: "oci" },
            ),
          );
          expect(decision).toEqual(E.left(expect.objectContaining({ _tag: "InvalidLayerException" })));
        },
      ),
      {
        numRuns: 60,
      },
    );
  });
});
