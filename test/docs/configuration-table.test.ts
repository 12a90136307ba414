/**
 * The README's Configuration table, kept true: every flag it lists is a flag of `berth serve` with
 * the environment variable it names, and every flag of `berth serve` is in the table.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { program } from "@berth/server";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const readme = await readFile(join(root, "README.md"), "utf8");
const section = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("**Local mode.**"));
const rows = section
  .split("\n")
  .filter((line) => /^\| `--/.test(line))
  .map((line) => {
    const [, flag = "", variable = ""] = line.split("|").map((cell) => cell.trim());
    return {
      flag: flag.replaceAll("`", ""),
      variables: [...variable.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]),
    };
  });
const serve = program.commands.find((command) => command.name() === "serve");

describe("README: the configuration table", () => {
  it("lists the flags of berth serve, each with its environment variable", () => {
    expect(serve).toBeDefined();
    const options = (serve?.options ?? []).filter((option) => option.long !== "--help");
    expect(rows.map((row) => row.flag).sort()).toEqual(options.map((option) => option.long).sort());
    for (const option of options) {
      const row = rows.find((r) => r.flag === option.long);
      expect(row?.variables, option.long).toContain(option.envVar);
    }
  });
});
