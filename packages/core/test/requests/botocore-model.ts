/**
 * The official ECR API model, as botocore ships it. The model test depends on it: without python3
 * and botocore it fails with a message saying what to install, never skips.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

interface ShapeRef {
  readonly shape: string;
}
export interface ModelShape {
  readonly type: string;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: ReadonlyArray<string>;
  readonly required?: ReadonlyArray<string>;
  readonly members?: Readonly<Record<string, ShapeRef>>;
  readonly member?: ShapeRef;
}
export interface EcrModel {
  readonly operations: Readonly<Record<string, { readonly input?: ShapeRef }>>;
  readonly shapes: Readonly<Record<string, ModelShape>>;
}

const botocoreDirectory = (): string => {
  try {
    return execFileSync("python3", ["-c", "import botocore, os; print(os.path.dirname(botocore.__file__))"], {
      encoding: "utf8",
    }).trim();
  } catch (cause) {
    throw new Error(
      "The ECR model is read from botocore: install python3 and botocore (`pip install botocore`) to run this test",
      { cause },
    );
  }
};

export const loadEcrModel = (): EcrModel =>
  JSON.parse(
    gunzipSync(
      readFileSync(join(botocoreDirectory(), "data", "ecr", "2015-09-21", "service-2.json.gz")),
    ).toString("utf8"),
  );

export const shapeOf = (model: EcrModel, name: string): ModelShape => {
  const shape = model.shapes[name];
  if (shape === undefined) throw new Error(`The ECR model has no shape ${name}`);
  return shape;
};
