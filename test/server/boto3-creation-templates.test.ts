/**
 * boto3 against the repository creation template operations (issue 12, item 3): one Python
 * process creates, describes (with botocore's own paginator), updates and deletes templates and
 * prints what boto3 parsed; createdAt/updatedAt arrive as `datetime` objects. Each operation has an
 * error boto3 must see by its ECR code.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPython } from "../support/aws-clients.js";
import { type RunningBerth, startBerth, TEST_REGISTRY_ID } from "../support/berth-server.js";

const OPERATIONS = [
  "CreateRepositoryCreationTemplate",
  "DescribeRepositoryCreationTemplates",
  "UpdateRepositoryCreationTemplate",
  "DeleteRepositoryCreationTemplate",
];
const ROLE = `arn:aws:iam::${TEST_REGISTRY_ID}:role/templates`;

const SCRIPT = `
import datetime, json, sys, boto3, botocore.config
endpoint, role = sys.argv[1], sys.argv[2]
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
out["known"] = ecr.meta.service_model.operation_names
call("create", "create_repository_creation_template", prefix="team", description="team repositories",
     appliedFor=["CREATE_ON_PUSH"], imageTagMutability="IMMUTABLE",
     encryptionConfiguration={"encryptionType": "KMS"}, resourceTags=[{"Key": "team", "Value": "a"}],
     customRoleArn=role)
call("exists", "create_repository_creation_template", prefix="team/", appliedFor=["CREATE_ON_PUSH"])
for prefix in ["ROOT", "cache", "mirror"]:
    call("create-" + prefix, "create_repository_creation_template", prefix=prefix, appliedFor=["PULL_THROUGH_CACHE"])
pages = ecr.get_paginator("describe_repository_creation_templates").paginate(PaginationConfig={"PageSize": 3})
out["paged"] = [[t["prefix"] for t in page["repositoryCreationTemplates"]] for page in pages]
call("update", "update_repository_creation_template", prefix="team", imageTagMutability="MUTABLE",
     appliedFor=["CREATE_ON_PUSH", "REPLICATION"])
call("updateMissing", "update_repository_creation_template", prefix="nobody", description="x")
call("describe", "describe_repository_creation_templates", prefixes=["team"])
call("badPrefix", "describe_repository_creation_templates", prefixes=["Not A Prefix"])
call("delete", "delete_repository_creation_template", prefix="team")
call("deleteAgain", "delete_repository_creation_template", prefix="team")
def plain(value):
    if isinstance(value, datetime.datetime):
        return "datetime:" + value.isoformat()
    raise TypeError(type(value))
print(json.dumps(out, default=plain))
`;

const recentDatetime = (value: unknown) => {
  expect(value).toMatch(/^datetime:\d{4}-\d\d-\d\dT/);
  expect(Math.abs(Date.parse(String(value).slice("datetime:".length)) - Date.now())).toBeLessThan(60_000);
};

describe("boto3 against the repository creation template operations", () => {
  let berth: RunningBerth;
  let out: Record<string, Record<string, unknown>>;
  beforeAll(async () => {
    berth = await startBerth({ storage: "memory" });
    out = JSON.parse(await runPython(SCRIPT, [berth.endpoint, ROLE])) as typeof out;
  }, 60_000);
  afterAll(() => berth?.stop());

  it("boto3 knows the four operations", () => {
    expect(OPERATIONS.filter((operation) => !(out.known as unknown as string[]).includes(operation))).toEqual(
      [],
    );
  });

  it("create answers the template with datetimes; a second one for the namespace is TemplateAlreadyExistsException", () => {
    const template = (out.create as { repositoryCreationTemplate: Record<string, unknown> })
      .repositoryCreationTemplate;
    expect(out.create?.registryId).toBe(TEST_REGISTRY_ID);
    expect(template).toMatchObject({
      prefix: "team",
      description: "team repositories",
      appliedFor: ["CREATE_ON_PUSH"],
      imageTagMutability: "IMMUTABLE",
      encryptionConfiguration: { encryptionType: "KMS" },
      resourceTags: [{ Key: "team", Value: "a" }],
      customRoleArn: ROLE,
    });
    recentDatetime(template.createdAt);
    recentDatetime(template.updatedAt);
    expect(out.exists).toMatchObject({ error: "TemplateAlreadyExistsException" });
  });

  it("describe pages through botocore's paginator; prefixes filter; a bad prefix is InvalidParameterException", () => {
    expect(out.paged).toEqual([["ROOT", "cache", "mirror"], ["team"]]);
    const described = out.describe as {
      registryId: string;
      repositoryCreationTemplates: Array<{ prefix: string }>;
    };
    expect(described.registryId).toBe(TEST_REGISTRY_ID);
    expect(described.repositoryCreationTemplates.map((t) => t.prefix)).toEqual(["team"]);
    expect(out.badPrefix).toMatchObject({ error: "InvalidParameterException" });
  });

  it("update replaces what it sends; delete answers the template; both refuse a missing one", () => {
    expect(out.update).toMatchObject({
      registryId: TEST_REGISTRY_ID,
      repositoryCreationTemplate: {
        prefix: "team",
        imageTagMutability: "MUTABLE",
        appliedFor: ["CREATE_ON_PUSH", "REPLICATION"],
        description: "team repositories",
      },
    });
    expect(out.updateMissing).toMatchObject({ error: "TemplateNotFoundException" });
    expect(out.delete).toMatchObject({ repositoryCreationTemplate: { prefix: "team" } });
    expect(out.deleteAgain).toEqual({
      error: "TemplateNotFoundException",
      message: `The repository creation template with prefix 'team' does not exist in the registry with id '${TEST_REGISTRY_ID}'`,
    });
  });
});
