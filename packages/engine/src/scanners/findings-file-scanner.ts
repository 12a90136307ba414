/**
 * A scanner that reads its findings from a JSON file keyed by image digest, so that a CI gate can be
 * tested against known findings: `{ "sha256:…": [ { "name": "CVE-…", "severity": "HIGH", … } ] }`.
 * The file is read at every scan (it may change while Berth runs); an image it does not name has
 * no findings; a file that cannot be read or is not of that shape fails the scan, saying why.
 */
import { readFile } from "node:fs/promises";
import { ScanFinding } from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import type { Scanner } from "../ports/scanner.js";

const FindingsFile = t.record(t.string, t.readonlyArray(ScanFinding));

/** The first problem io-ts found, as a path into the file. */
const describeErrors = (errors: t.Errors): string => {
  const first = errors[0];
  const path = first?.context
    .map((entry) => entry.key)
    .filter((key) => key !== "")
    .join(".");
  return `${path === undefined || path === "" ? "the file" : path} is not a list of ECR findings (name, description, uri, severity, attributes)`;
};

export const createFindingsFileScanner = (path: string): Scanner => ({
  scan: async (image) => {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      throw new Error(`Cannot read the findings file ${path}: ${(error as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new Error(`The findings file ${path} is not JSON: ${(error as Error).message}`);
    }
    const decoded = FindingsFile.decode(json);
    if (E.isLeft(decoded)) throw new Error(`The findings file ${path}: ${describeErrors(decoded.left)}`);
    return { findings: decoded.right[image.imageDigest] ?? [] };
  },
});
