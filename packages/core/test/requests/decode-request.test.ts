import { fc, test } from "@fast-check/vitest";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { decodeRequest, type EcrOperation, EcrRequests, isEcrOperation } from "../../src/ecr-requests.js";
import { base64DecodedLength } from "../../src/kernel/base64-length.js";
import { MediaType } from "../../src/values/primitives.js";
import { validValue, violating } from "./constraint-arbitraries.js";
import { ecrPath, mutationSites, replaceAt } from "./request-mutations.js";

const OPERATIONS = Object.keys(EcrRequests).filter(isEcrOperation);

/** The message of a refused request; fails the test when the request was accepted. */
const refusal = (operation: EcrOperation, body: unknown): string => {
  const decoded = decodeRequest(operation, body);
  if (E.isRight(decoded)) throw new Error(`${operation} accepted ${JSON.stringify(body)}`);
  expect(decoded.left._tag).toBe("InvalidParameterException");
  return decoded.left.message;
};

const NAME_PATTERN = "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*";

describe("decodeRequest", () => {
  it("decodes a valid request into exactly its declared members, ignoring unknown ones as AWS does", () => {
    const body = {
      repositoryName: "team/app",
      registryId: "123456789012",
      imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
      imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "latest*" }],
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: "KMS", kmsKey: "alias/berth" },
      tags: [{ Key: "team", Value: "" }],
    };
    const decoded = decodeRequest("CreateRepository", {
      ...body,
      imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "latest*", note: "x" }],
      futureMember: 1,
    });
    expect(decoded).toEqual(E.right(body));
  });

  it("treats a member sent as null as a member not sent", () => {
    expect(decodeRequest("ListImages", { repositoryName: "app", nextToken: null, filter: null })).toEqual(
      E.right({ repositoryName: "app" }),
    );
  });

  it("refuses a PutImage whose imageManifestMediaType is not a media type, in ECR's words", () => {
    for (const mediaType of ["", "bogus", "application/", "a b/c"]) {
      expect(
        refusal("PutImage", {
          repositoryName: "app",
          imageManifest: "{}",
          imageManifestMediaType: mediaType,
        }),
      ).toBe(
        `Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'Invalid media type ${mediaType}'`,
      );
    }
    expect(
      decodeRequest("PutImage", {
        repositoryName: "app",
        imageManifest: "{}",
        imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
      }),
    ).toEqual(
      E.right({
        repositoryName: "app",
        imageManifest: "{}",
        imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
      }),
    );
  });

  it("reports a broken constraint before a PutImage media type that is not one", () => {
    expect(
      refusal("PutImage", { repositoryName: "A", imageManifest: "{}", imageManifestMediaType: "bogus" }),
    ).toMatch(/^1 validation error detected: Value 'A' at 'repositoryName'/);
  });

  it("decodes requests without members from an empty object", () => {
    expect(decodeRequest("GetAuthorizationToken", {})).toEqual(E.right({}));
    expect(decodeRequest("DescribeRegistry", {})).toEqual(E.right({}));
  });

  it("names a missing required member", () => {
    expect(refusal("DeleteRepository", { force: true })).toBe(
      "1 validation error detected: Value null at 'repositoryName' failed to satisfy constraint: Member must not be null",
    );
  });

  it("names the pattern, length, value and enum constraints as ECR does", () => {
    expect(refusal("DescribeImages", { repositoryName: "Foo" })).toBe(
      `1 validation error detected: Value 'Foo' at 'repositoryName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${NAME_PATTERN}`,
    );
    expect(refusal("DescribeImages", { repositoryName: "a" })).toBe(
      "1 validation error detected: Value 'a' at 'repositoryName' failed to satisfy constraint: Member must have length greater than or equal to 2",
    );
    expect(refusal("DescribeRepositories", { maxResults: 1001 })).toBe(
      "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
    );
    expect(refusal("PutImageTagMutability", { repositoryName: "app", imageTagMutability: "SOMETIMES" })).toBe(
      "Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [IMMUTABLE, MUTABLE, MUTABLE_WITH_EXCLUSION, IMMUTABLE_WITH_EXCLUSION]'",
    );
  });

  it("names list items and nested members by their ECR path", () => {
    expect(
      refusal("BatchGetImage", { repositoryName: "app", imageIds: [{ imageTag: "v1" }, { imageTag: "" }] }),
    ).toBe(
      "1 validation error detected: Value '' at 'imageIds.2.member.imageTag' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    expect(refusal("BatchDeleteImage", { repositoryName: "app", imageIds: [] })).toBe(
      "1 validation error detected: Value '[]' at 'imageIds' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it("reports every violation in one message", () => {
    expect(refusal("ListImages", { repositoryName: "Ab", maxResults: 0 })).toBe(
      "2 validation errors detected: " +
        `Value 'Ab' at 'repositoryName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${NAME_PATTERN}; ` +
        "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });

  it("refuses a body that is not a JSON object", () => {
    expect(refusal("DescribeRegistry", [])).toBe(
      "1 validation error detected: Value '[]' at the request body failed to satisfy constraint: Member must be a structure",
    );
  });

  it("cuts long values out of the message", () => {
    const message = refusal("PutImage", { repositoryName: "app", imageManifest: "x".repeat(4_194_305) });
    expect(message).toBe(
      `1 validation error detected: Value '${"x".repeat(100)}...' at 'imageManifest' failed to satisfy constraint: Member must have length less than or equal to 4194304`,
    );
  });

  it("leaves resource tag limits to the core, which answers them with tag exceptions", () => {
    const arn = "arn:aws:ecr:us-east-1:123456789012:repository/app";
    const tag = (i: number) => ({ Key: `k${i}`, Value: "v" });
    for (const tags of [
      Array.from({ length: 51 }, (_, i) => tag(i)),
      [{ Key: "k".repeat(129), Value: "v".repeat(257) }],
    ]) {
      expect(decodeRequest("TagResource", { resourceArn: arn, tags })).toSatisfy(E.isRight);
      expect(decodeRequest("CreateRepository", { repositoryName: "app", tags })).toSatisfy(E.isRight);
    }
  });

  it("knows the operations it serves", () => {
    expect(OPERATIONS).toHaveLength(62);
    expect(isEcrOperation("PutImage")).toBe(true);
    expect(isEcrOperation("toString")).toBe(false);
  });
});

describe("layer parts", () => {
  const part = (layerPartBlob: string) => ({
    repositoryName: "app",
    uploadId: "5f0c2a1e-1111-4222-8333-944445555666",
    partFirstByte: 0,
    partLastByte: 0,
    layerPartBlob,
  });

  it("accepts exactly 20,971,520 decoded bytes and refuses one more, keeping the text undecoded", () => {
    // 20,971,520 bytes are 6,990,506 groups of three and two bytes more: 27,962,027 characters and one `=`.
    const text = "A".repeat(27_962_027);
    const limit = `${text}=`;
    const decoded = decodeRequest("UploadLayerPart", part(limit));
    expect(E.isRight(decoded) && decoded.right.layerPartBlob).toBe(limit);
    expect(refusal("UploadLayerPart", part(`${text}A`))).toMatch(
      /at 'layerPartBlob' failed to satisfy constraint: Member must have length less than or equal to 20971520$/,
    );
  });

  it("refuses text that is not base64", () => {
    for (const blob of ["QQ=", "QUJD====", "QUJ!", "Q", " QUJD"]) {
      expect(refusal("UploadLayerPart", part(blob))).toMatch(/Member must be a base64-encoded string$/);
    }
  });

  test.prop([fc.uint8Array({ maxLength: 64 })])(
    "computes the decoded length from length and padding",
    (bytes) => {
      const padded = Buffer.from(bytes).toString("base64");
      expect(base64DecodedLength(padded)).toBe(bytes.length);
      expect(base64DecodedLength(padded.replace(/=+$/, ""))).toBe(bytes.length);
    },
  );
});

describe("decodeRequest on generated requests", () => {
  // Built once: an arbitrary built from a pattern is costly to build, cheap to draw from.
  // The model leaves PutImage's imageManifestMediaType unconstrained, yet ECR refuses what is not a
  // media type (checked in the example above): a valid request carries a real one.
  const withRealMediaType = (operation: EcrOperation, body: unknown) =>
    operation === "PutImage" &&
    typeof body === "object" &&
    body !== null &&
    "imageManifestMediaType" in body &&
    !MediaType.is(body.imageManifestMediaType)
      ? { ...body, imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json" }
      : body;
  const valid = fc.oneof(
    ...OPERATIONS.map((operation) =>
      validValue(EcrRequests[operation].constraints).map((body) => ({
        operation,
        body: withRealMediaType(operation, body),
      })),
    ),
  );

  test.prop([valid], { numRuns: 300 })(
    "accepts every request that satisfies the constraints, unchanged",
    ({ operation, body }) => {
      expect(decodeRequest(operation, body)).toEqual(E.right(body));
    },
  );

  const broken = valid.chain(({ operation, body }) =>
    fc.constantFrom(...mutationSites(EcrRequests[operation].constraints, body)).chain((site) =>
      fc
        .oneof(
          violating(site.constraints),
          ...(site.required && site.path.length > 0
            ? [fc.constant({ value: null, message: "Member must not be null" })]
            : []),
        )
        .map((violation) => ({
          operation,
          body: replaceAt(body, site.path, violation.value),
          where: site.path.length === 0 ? "the request body" : `'${ecrPath(site.path)}'`,
          message: violation.message,
        })),
    ),
  );

  test.prop([broken], { numRuns: 300 })(
    "refuses a request breaking one constraint, naming the member and the constraint",
    (mutation) => {
      const message = refusal(mutation.operation, mutation.body);
      // A value outside an enumeration has ECR's parameter wording; every other violation the validation one.
      if (
        mutation.message.startsWith("Member must satisfy enum value set:") &&
        mutation.where !== "the request body"
      ) {
        expect(message).toBe(
          `Invalid parameter at ${mutation.where} failed to satisfy constraint: '${mutation.message}'`,
        );
      } else {
        expect(message).toMatch(/^1 validation error detected: Value /);
        expect(message).toContain(` at ${mutation.where} failed to satisfy constraint: ${mutation.message}`);
      }
    },
  );
});
