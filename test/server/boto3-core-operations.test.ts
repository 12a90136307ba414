/**
 * boto3 against Berth's original ECR operations (issue 11 done-when): repositories, layer uploads,
 * images, repository and registry policies, tags, the registry and authorization tokens. One Python
 * process makes every call in order and prints what boto3 parsed; timestamps arrive as `datetime`
 * objects (printed as `datetime:<ISO 8601>`), which proves the wire format botocore reads. Errors
 * are seen by their ECR code: RepositoryNotFoundException, ImageAlreadyExistsException,
 * LayersNotFoundException, RepositoryPolicyNotFoundException.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPython } from "../support/aws-clients.js";
import { type RunningBerth, startBerth, TEST_REGISTRY_ID } from "../support/berth-server.js";
import { bytesOf, configBlob, imageManifest, OCI_MANIFEST, sha256 } from "./ecr-helpers.js";

const REPOSITORY = "core/app";
const ARN = `arn:aws:ecr:us-east-1:${TEST_REGISTRY_ID}:repository/${REPOSITORY}`;
const policy = (sid: string, action: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: sid, Effect: "Allow", Principal: { AWS: "*" }, Action: [action] }],
  });
const REPOSITORY_POLICY = policy("pull", "ecr:BatchGetImage");
const REGISTRY_POLICY = policy("replicate", "ecr:ReplicateImage");

const config = configBlob("boto3-core");
const layer = bytesOf(4096, 31);
const image = imageManifest(config, [layer]);
/** A manifest whose config and layer were never uploaded. */
const orphan = imageManifest(configBlob("boto3-orphan"), [bytesOf(64, 32)]);
const MISSING = sha256("never uploaded");

/** Calls each operation; a call that fails records {"error": Code, "message": Message} instead. */
const SCRIPT = `
import base64, datetime, hashlib, json, sys, urllib.request, boto3, botocore.config
endpoint, f = sys.argv[1], json.loads(sys.argv[2])
ecr = boto3.client("ecr", endpoint_url=endpoint, region_name="us-east-1",
    aws_access_key_id="test", aws_secret_access_key="test",
    config=botocore.config.Config(retries={"max_attempts": 1}))
out = {}
def call(key, operation, **params):
    try:
        answer = getattr(ecr, operation)(**params)
        answer.pop("ResponseMetadata", None)
        out[key] = answer
    except ecr.exceptions.ClientError as error:
        out[key] = {"error": error.response["Error"]["Code"], "message": error.response["Error"]["Message"]}
    return out[key]
repo = f["repository"]
config, layer = f["config"].encode(), base64.b64decode(f["layer"])
# Repositories
call("create", "create_repository", repositoryName=repo, tags=[{"Key": "team", "Value": "core"}])
call("describeRepositories", "describe_repositories", repositoryNames=[repo])
call("repositoryNotFound", "describe_repositories", repositoryNames=["core/absent"])
# Layer uploads, each in one part (every part but the last must be 5 MiB or more)
def upload(key, blob, parts):
    started = call(key + "Initiate", "initiate_layer_upload", repositoryName=repo)
    first = 0
    for index, last in enumerate(parts):
        call(key + "Part" + str(index), "upload_layer_part", repositoryName=repo, uploadId=started["uploadId"],
             partFirstByte=first, partLastByte=last, layerPartBlob=blob[first:last + 1])
        first = last + 1
    call(key + "Complete", "complete_layer_upload", repositoryName=repo, uploadId=started["uploadId"],
         layerDigests=[f["configDigest"] if blob is config else f["layerDigest"]])
upload("config", config, [len(config) - 1])
upload("layer", layer, [len(layer) - 1])
call("availability", "batch_check_layer_availability", repositoryName=repo,
     layerDigests=[f["layerDigest"], f["configDigest"], f["missing"]])
# Images
call("put", "put_image", repositoryName=repo, imageManifest=f["manifest"], imageTag="v1")
call("putAgain", "put_image", repositoryName=repo, imageManifest=f["manifest"], imageTag="v1")
call("putOrphan", "put_image", repositoryName=repo, imageManifest=f["orphan"], imageTag="orphan")
call("putLatest", "put_image", repositoryName=repo, imageManifest=f["manifest"], imageTag="latest")
call("batchGet", "batch_get_image", repositoryName=repo, imageIds=[{"imageTag": "v1"}, {"imageTag": "absent"}])
call("describeImages", "describe_images", repositoryName=repo)
call("listImages", "list_images", repositoryName=repo, filter={"tagStatus": "TAGGED"})
call("downloadUrl", "get_download_url_for_layer", repositoryName=repo, layerDigest=f["layerDigest"])
# The URL is fetched now, while the repository still exists
with urllib.request.urlopen(out["downloadUrl"]["downloadUrl"]) as response:
    out["downloaded"] = {"status": response.status, "digest": "sha256:" + hashlib.sha256(response.read()).hexdigest()}
call("batchDelete", "batch_delete_image", repositoryName=repo,
     imageIds=[{"imageTag": "latest"}, {"imageDigest": f["missing"]}])
call("listAfterDelete", "list_images", repositoryName=repo)
call("mutability", "put_image_tag_mutability", repositoryName=repo, imageTagMutability="IMMUTABLE")
# Policies
call("setPolicy", "set_repository_policy", repositoryName=repo, policyText=f["repositoryPolicy"])
call("getPolicy", "get_repository_policy", repositoryName=repo)
call("deletePolicy", "delete_repository_policy", repositoryName=repo)
call("policyNotFound", "get_repository_policy", repositoryName=repo)
call("putRegistryPolicy", "put_registry_policy", policyText=f["registryPolicy"])
call("getRegistryPolicy", "get_registry_policy")
call("deleteRegistryPolicy", "delete_registry_policy")
# Tags
call("tag", "tag_resource", resourceArn=f["arn"],
     tags=[{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "platform"}])
call("tagsAfterTag", "list_tags_for_resource", resourceArn=f["arn"])
call("untag", "untag_resource", resourceArn=f["arn"], tagKeys=["team"])
call("tags", "list_tags_for_resource", resourceArn=f["arn"])
# The registry and its tokens
call("registry", "describe_registry")
call("token", "get_authorization_token")
# Deleting: with force while it holds an image; a second time it is gone
call("delete", "delete_repository", repositoryName=repo, force=True)
call("deleteAgain", "delete_repository", repositoryName=repo)
def plain(value):
    if isinstance(value, datetime.datetime):
        return "datetime:" + value.isoformat()
    raise TypeError(type(value))
print(json.dumps(out, default=plain))
`;

/** A `datetime:<ISO 8601>` boto3 parsed, as milliseconds since the epoch. */
const datetimeMs = (value: unknown) => {
  expect(value).toMatch(/^datetime:\d{4}-\d\d-\d\dT.*[+-]\d\d:\d\d$/);
  return Date.parse(String(value).slice("datetime:".length));
};
const recentDatetime = (value: unknown) =>
  expect(Math.abs(datetimeMs(value) - Date.now())).toBeLessThan(60_000);

describe("boto3 against the original ECR operations", () => {
  let berth: RunningBerth;
  let out: Record<string, Record<string, unknown>>;

  beforeAll(async () => {
    berth = await startBerth({ storage: "memory" });
    const stdout = await runPython(SCRIPT, [
      berth.endpoint,
      JSON.stringify({
        repository: REPOSITORY,
        arn: ARN,
        config: new TextDecoder().decode(config),
        configDigest: image.configDigest,
        layer: Buffer.from(layer).toString("base64"),
        layerDigest: image.layerDigests[0],
        manifest: image.manifest,
        orphan: orphan.manifest,
        missing: MISSING,
        repositoryPolicy: REPOSITORY_POLICY,
        registryPolicy: REGISTRY_POLICY,
      }),
    ]);
    out = JSON.parse(stdout) as typeof out;
  }, 60_000);
  afterAll(() => berth?.stop());

  it("repositories: create with tags, describe, RepositoryNotFoundException, tag mutability", () => {
    const repository = {
      repositoryArn: ARN,
      registryId: TEST_REGISTRY_ID,
      repositoryName: REPOSITORY,
      repositoryUri: `localhost:${berth.port}/${REPOSITORY}`,
      createdAt: expect.any(String),
      imageTagMutability: "MUTABLE",
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: "AES256" },
    };
    expect(out.create).toEqual({ repository });
    const { createdAt } = (out.create as { repository: { createdAt: unknown } }).repository;
    recentDatetime(createdAt);
    expect(out.describeRepositories).toEqual({ repositories: [{ ...repository, createdAt }] });
    expect(out.repositoryNotFound).toEqual({
      error: "RepositoryNotFoundException",
      message: `The repository with name 'core/absent' does not exist in the registry with id '${TEST_REGISTRY_ID}'`,
    });
    expect(out.mutability).toEqual({
      registryId: TEST_REGISTRY_ID,
      repositoryName: REPOSITORY,
      imageTagMutability: "IMMUTABLE",
    });
  });

  it("layer uploads: initiate, a part, complete; availability with a missing digest", () => {
    for (const [key, blob, digest] of [
      ["config", config, image.configDigest],
      ["layer", layer, image.layerDigests[0]],
    ] as const) {
      const initiated = out[`${key}Initiate`] as { uploadId: string; partSize: number };
      expect(initiated).toEqual({
        uploadId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        partSize: 5 * 1024 * 1024,
      });
      const upload = {
        registryId: TEST_REGISTRY_ID,
        repositoryName: REPOSITORY,
        uploadId: initiated.uploadId,
      };
      expect(out[`${key}Part0`]).toEqual({ ...upload, lastByteReceived: blob.length - 1 });
      expect(out[`${key}Complete`]).toEqual({ ...upload, layerDigest: digest });
    }
    expect(out.availability).toEqual({
      layers: [
        { layerDigest: image.layerDigests[0], layerAvailability: "AVAILABLE", layerSize: layer.length },
        { layerDigest: image.configDigest, layerAvailability: "AVAILABLE", layerSize: config.length },
      ],
      failures: [
        {
          layerDigest: MISSING,
          failureCode: "MissingLayerDigest",
          failureReason: "Could not find layer with digest",
        },
      ],
    });
  });

  it("images: put, ImageAlreadyExistsException, LayersNotFoundException, get, describe, list, delete", () => {
    const v1 = { imageDigest: image.digest, imageTag: "v1" };
    const putImage = (imageTag: string) => ({
      image: {
        registryId: TEST_REGISTRY_ID,
        repositoryName: REPOSITORY,
        imageId: { imageDigest: image.digest, imageTag },
        imageManifest: image.manifest,
        imageManifestMediaType: OCI_MANIFEST,
      },
    });
    expect(out.put).toEqual(putImage("v1"));
    expect(out.putAgain).toMatchObject({ error: "ImageAlreadyExistsException" });
    expect(out.putAgain?.message).toContain(image.digest);
    expect(out.putOrphan).toMatchObject({ error: "LayersNotFoundException" });
    expect(out.putOrphan?.message).toContain(orphan.configDigest);
    expect(out.putLatest).toEqual(putImage("latest"));
    expect(out.batchGet).toEqual({
      images: [putImage("v1").image],
      failures: [
        {
          imageId: { imageTag: "absent" },
          failureCode: "ImageNotFound",
          failureReason: "Requested image not found",
        },
      ],
    });
    const details = (out.describeImages as { imageDetails: Array<Record<string, unknown>> }).imageDetails;
    expect(details).toEqual([
      expect.objectContaining({
        registryId: TEST_REGISTRY_ID,
        repositoryName: REPOSITORY,
        imageDigest: image.digest,
        imageTags: expect.arrayContaining(["v1", "latest"]),
        imageSizeInBytes: layer.length,
        imageManifestMediaType: OCI_MANIFEST,
        artifactMediaType: expect.any(String),
      }),
    ]);
    expect(details[0]?.imageTags).toHaveLength(2);
    recentDatetime(details[0]?.imagePushedAt);
    expect(out.listImages?.imageIds).toEqual(
      expect.arrayContaining([v1, { imageDigest: image.digest, imageTag: "latest" }]),
    );
    expect(out.listImages?.imageIds).toHaveLength(2);
    expect(out.batchDelete).toEqual({
      imageIds: [{ imageDigest: image.digest, imageTag: "latest" }],
      failures: [
        {
          imageId: { imageDigest: MISSING },
          failureCode: "ImageNotFound",
          failureReason: "Requested image not found",
        },
      ],
    });
    expect(out.listAfterDelete).toEqual({ imageIds: [v1] });
  });

  it("GetDownloadUrlForLayer: a URL on this server that serves the layer's bytes", () => {
    expect(out.downloadUrl).toEqual({
      downloadUrl: expect.stringMatching(new RegExp(`^http://127\\.0\\.0\\.1:${berth.port}/`)),
      layerDigest: image.layerDigests[0],
    });
    expect(out.downloaded).toEqual({ status: 200, digest: image.layerDigests[0] });
  });

  it("policies: repository set/get/delete then RepositoryPolicyNotFoundException; registry put/get/delete", () => {
    const repositoryPolicy = {
      registryId: TEST_REGISTRY_ID,
      repositoryName: REPOSITORY,
      policyText: REPOSITORY_POLICY,
    };
    expect(out.setPolicy).toEqual(repositoryPolicy);
    expect(out.getPolicy).toEqual(repositoryPolicy);
    expect(out.deletePolicy).toEqual(repositoryPolicy);
    expect(out.policyNotFound).toEqual({
      error: "RepositoryPolicyNotFoundException",
      message: `Repository policy does not exist for the repository with name '${REPOSITORY}' in the registry with id '${TEST_REGISTRY_ID}'`,
    });
    const registryPolicy = { registryId: TEST_REGISTRY_ID, policyText: REGISTRY_POLICY };
    expect(out.putRegistryPolicy).toEqual(registryPolicy);
    expect(out.getRegistryPolicy).toEqual(registryPolicy);
    expect(out.deleteRegistryPolicy).toEqual(registryPolicy);
  });

  it("tags: tag (overwriting a tag set at creation), list, untag, list", () => {
    const byKey = (tags: unknown) =>
      [...(tags as Array<{ Key: string }>)].sort((a, b) => a.Key.localeCompare(b.Key));
    expect(out.tag).toEqual({});
    expect(byKey(out.tagsAfterTag?.tags)).toEqual([
      { Key: "env", Value: "test" },
      { Key: "team", Value: "platform" },
    ]);
    expect(out.untag).toEqual({});
    expect(out.tags).toEqual({ tags: [{ Key: "env", Value: "test" }] });
  });

  it("DescribeRegistry and GetAuthorizationToken (AWS:<password>, expires in 12 hours)", () => {
    expect(out.registry).toEqual({ registryId: TEST_REGISTRY_ID, replicationConfiguration: { rules: [] } });
    const data = (out.token as { authorizationData: Array<Record<string, unknown>> }).authorizationData;
    expect(data).toEqual([
      {
        authorizationToken: expect.any(String),
        expiresAt: expect.any(String),
        proxyEndpoint: berth.endpoint,
      },
    ]);
    expect(Buffer.from(String(data[0]?.authorizationToken), "base64").toString("utf8")).toMatch(
      /^AWS:[A-Za-z0-9_.-]{16,}$/,
    );
    expect(Math.abs(datetimeMs(data[0]?.expiresAt) - Date.now() - 12 * 3600_000)).toBeLessThan(60_000);
  });

  it("DeleteRepository with force answers the repository; a second time RepositoryNotFoundException", () => {
    expect(out.delete).toEqual({
      repository: expect.objectContaining({
        repositoryArn: ARN,
        registryId: TEST_REGISTRY_ID,
        repositoryName: REPOSITORY,
        imageTagMutability: "IMMUTABLE",
      }),
    });
    recentDatetime((out.delete as { repository: { createdAt: unknown } }).repository.createdAt);
    expect(out.deleteAgain).toMatchObject({ error: "RepositoryNotFoundException" });
  });
});
