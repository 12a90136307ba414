/**
 * boto3 against the replication operations (issue 12, item 2): one Python process puts a
 * replication configuration, reads it back through DescribeRegistry, pushes an image and asks its
 * replication status, and prints what boto3 parsed; refusals arrive by their ECR code.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPython } from "../support/aws-clients.js";
import { type RunningBerth, startBerth, TEST_REGISTRY_ID } from "../support/berth-server.js";

const OTHER = "222222222222";

const SCRIPT = `
import json, sys, time, boto3, botocore.config
endpoint, other = sys.argv[1], sys.argv[2]
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
config = {"rules": [{"destinations": [{"region": "us-east-1", "registryId": other}],
                     "repositoryFilters": [{"filter": "team", "filterType": "PREFIX_MATCH"}]}]}
call("put", "put_replication_configuration", replicationConfiguration=config)
call("registry", "describe_registry")
call("self", "put_replication_configuration",
     replicationConfiguration={"rules": [{"destinations": [{"region": "us-east-1", "registryId": "${TEST_REGISTRY_ID}"}]}]})
call("filterType", "put_replication_configuration",
     replicationConfiguration={"rules": [{"destinations": [{"region": "eu-west-1", "registryId": other}],
                                          "repositoryFilters": [{"filter": "team", "filterType": "SUFFIX_MATCH"}]}]})
call("create", "create_repository", repositoryName="team/app")
index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": []})
call("image", "put_image", repositoryName="team/app", imageManifest=index, imageTag="v1")
for _ in range(100):
    call("status", "describe_image_replication_status", repositoryName="team/app", imageId={"imageTag": "v1"})
    if all(s["status"] != "IN_PROGRESS" for s in out["status"].get("replicationStatuses", [])):
        break
    time.sleep(0.05)
call("missing", "describe_image_replication_status", repositoryName="team/app", imageId={"imageTag": "nope"})
print(json.dumps(out, default=str))
`;

describe("boto3 against the replication operations", () => {
  let berth: RunningBerth;
  let out: Record<string, Record<string, unknown>>;
  beforeAll(async () => {
    berth = await startBerth({ storage: "memory" });
    out = JSON.parse(await runPython(SCRIPT, [berth.endpoint, OTHER])) as typeof out;
  }, 60_000);
  afterAll(() => berth?.stop());

  it("PutReplicationConfiguration answers the configuration; DescribeRegistry shows it", () => {
    const replicationConfiguration = {
      rules: [
        {
          destinations: [{ region: "us-east-1", registryId: OTHER }],
          repositoryFilters: [{ filter: "team", filterType: "PREFIX_MATCH" }],
        },
      ],
    };
    expect(out.put).toEqual({ replicationConfiguration });
    expect(out.registry).toEqual({ registryId: TEST_REGISTRY_ID, replicationConfiguration });
  });

  it("the source registry as a destination and an unknown filter type are refused", () => {
    expect(out.self?.error).toBe("InvalidParameterException");
    expect(out.filterType?.error).toBe("InvalidParameterException");
    expect(out.filterType?.message).toMatch(/filterType/);
  });

  it("DescribeImageReplicationStatus answers per destination; an unknown image is ImageNotFoundException", () => {
    // Local mode without credentials: account 222222222222 has no registry policy allowing the copy.
    expect(out.status).toMatchObject({
      repositoryName: "team/app",
      imageId: { imageTag: "v1" },
      replicationStatuses: [{ region: "us-east-1", registryId: OTHER, status: "FAILED" }],
    });
    expect(out.missing?.error).toBe("ImageNotFoundException");
  });
});
