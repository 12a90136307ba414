/**
 * The README's table of ECR operations, kept true: the rows marked served are exactly the
 * operations the ECR endpoint decodes and runs, and every operation of the newest SDK has a row.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as ecrSdk from "@aws-sdk/client-ecr";
import { EcrRequests } from "@berth/core";
import { ecrOperations } from "@berth/server";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const readme = await readFile(join(root, "README.md"), "utf8");
const section = readme.slice(readme.indexOf("## ECR operations"), readme.indexOf("## Configuration"));
const rows = section
  .split("\n")
  .filter((line) => line.startsWith("| ") && line.includes("`"))
  .map((line) => {
    const [, operations = "", , served = ""] = line.split("|").map((cell) => cell.trim());
    return { operations: [...operations.matchAll(/`(\w+)`/g)].map((m) => m[1]!), served };
  });
const tabled = (served: (status: string) => boolean) =>
  rows
    .filter((row) => served(row.served))
    .flatMap((row) => row.operations)
    .sort();

const sdkOperations = Object.keys(ecrSdk)
  .filter((name) => name.endsWith("Command") && name !== "Command" && name !== "$Command")
  .map((name) => name.slice(0, -"Command".length))
  .sort();

describe("README: the table of ECR operations", () => {
  it("marks as served exactly the operations the ECR endpoint runs", () => {
    expect(tabled((status) => status === "yes")).toEqual(Object.keys(ecrOperations).sort());
    expect(Object.keys(ecrOperations).sort()).toEqual(Object.keys(EcrRequests).sort());
  });

  it("names every operation of @aws-sdk/client-ecr once", () => {
    expect(sdkOperations.length).toBeGreaterThanOrEqual(62);
    expect(tabled(() => true)).toEqual(sdkOperations);
  });

  it("says which issue brings each operation not served yet", () => {
    for (const row of rows.filter((r) => r.served !== "yes"))
      expect(row.served).toMatch(/^not yet \(issue \d+\)$/);
  });
});
