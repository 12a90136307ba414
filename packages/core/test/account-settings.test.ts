/** Account settings: ECR's names and values, Berth's defaults, and BLOB_MOUNTING's hold on mounts. */
import { type BerthCommand, fold, getAccountSetting } from "@berth/core";
import { layerBlobOf, registrySpecification as spec } from "@berth/testkit";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { app, c, given, other, registryId } from "./example-registry.js";

const put = (name: string, value: string): BerthCommand => ({
  type: "PutAccountSetting",
  data: { registryId, name, value },
});

describe("account settings", () => {
  it("answer their defaults until set, then what was set", () => {
    const read = (name: string, ...commands: BerthCommand[]) =>
      getAccountSetting(fold(given(...commands)), { registryId, name });
    expect(read("BASIC_SCAN_TYPE_VERSION")).toEqual(
      E.right({ name: "BASIC_SCAN_TYPE_VERSION", value: "AWS_NATIVE" }),
    );
    expect(read("REGISTRY_POLICY_SCOPE")).toEqual(E.right({ name: "REGISTRY_POLICY_SCOPE", value: "V2" }));
    expect(read("BLOB_MOUNTING")).toEqual(E.right({ name: "BLOB_MOUNTING", value: "ENABLED" }));
    expect(read("BLOB_MOUNTING", put("BLOB_MOUNTING", "DISABLED"))).toEqual(
      E.right({ name: "BLOB_MOUNTING", value: "DISABLED" }),
    );
  });

  it("record a change once; putting the value a setting has records nothing", () => {
    spec()
      .when(put("BLOB_MOUNTING", "DISABLED"))
      .then([
        { type: "AccountSettingChanged", data: { registryId, name: "BLOB_MOUNTING", value: "DISABLED" } },
      ]);
    spec().when(put("BLOB_MOUNTING", "ENABLED")).thenNothingHappens();
  });

  it("refuse names and values ECR does not know", () => {
    spec().when(put("SCAN_EVERYTHING", "YES")).thenFails("InvalidParameterException", {
      message:
        "Invalid parameter at 'name' failed to satisfy constraint: 'Member must satisfy enum value set: [BASIC_SCAN_TYPE_VERSION, REGISTRY_POLICY_SCOPE, BLOB_MOUNTING]'",
    });
    spec().when(put("BLOB_MOUNTING", "enabled")).thenFails("InvalidParameterException", {
      message:
        "Invalid parameter at 'value' failed to satisfy constraint: 'Member must satisfy enum value set: [ENABLED, DISABLED]'",
    });
    expect(E.isLeft(getAccountSetting(fold([]), { registryId, name: "toString" }))).toBe(true);
  });

  it("with BLOB_MOUNTING DISABLED a mount is refused with its own reason; ENABLED again, it mounts", () => {
    const layer = layerBlobOf("shared");
    const mount = c.mountLayer(app, other, layer.digest);
    const history = [c.createRepository(app), c.createRepository(other), ...c.uploadLayer(other, layer)];
    spec(given(history, put("BLOB_MOUNTING", "DISABLED")))
      .when(mount)
      .thenFails("BlobMountingDisabled");
    spec(given(history, put("BLOB_MOUNTING", "DISABLED"), put("BLOB_MOUNTING", "ENABLED")))
      .when(mount)
      .then((events) => expect(events.map((e) => e.type)).toEqual(["LayerLinked"]));
  });
});
