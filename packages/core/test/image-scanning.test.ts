/**
 * Image scanning in the core: repository filters and the effective configuration, the per-image
 * quota (scan on push included), recording outcomes, and DescribeImageScanFindings' answers.
 */

import {
  type BerthCommand,
  type BerthEvent,
  describeImageScanFindings,
  describeImages,
  effectiveScanning,
  fold,
  type RecordImageScan,
  RepositoryName,
  type ScanFinding,
  type ScanFrequency,
  Timestamp,
  wildcardMatches,
} from "@berth/core";
import {
  branded,
  EXAMPLE_TIME,
  imageManifestOf,
  layerBlobOf,
  registrySpecification as spec,
} from "@berth/testkit";
import { test } from "@fast-check/vitest";
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { app, c, given, other, ref, registryId } from "./example-registry.js";

const DAY = 24 * 60 * 60 * 1000;
const at = (ms: number) => branded(Timestamp, EXAMPLE_TIME + ms);
const layer = layerBlobOf("layer");
const config = layerBlobOf('{"architecture":"amd64"}');
const image = imageManifestOf(config, [layer]);
const pushTo = (name: typeof app, options: Parameters<typeof c.createRepository>[1] = {}): BerthCommand[] => [
  c.createRepository(name, options),
  ...c.uploadLayer(name, config),
  ...c.uploadLayer(name, layer),
  c.putImage(name, image, { tag: "v1" }),
];
const startScan = (ms: number, imageId: { imageDigest?: string; imageTag?: string } = { imageTag: "v1" }) =>
  ({ type: "StartImageScan", data: { ...ref, imageId, startedAt: at(ms) } }) as const;
const registryRules = (
  scanType: "BASIC" | "ENHANCED",
  rules: ReadonlyArray<{ scanFrequency: ScanFrequency; filters: ReadonlyArray<string> }>,
): BerthCommand => ({
  type: "PutRegistryScanningConfiguration",
  data: {
    registryId,
    scanType,
    rules: rules.map((rule) => ({
      scanFrequency: rule.scanFrequency,
      repositoryFilters: rule.filters.map((filter) => ({ filter, filterType: "WILDCARD" as const })),
    })),
  },
});
const record = (startedAt: number, outcome: RecordImageScan["data"]["outcome"], ms = startedAt + 1000) =>
  ({
    type: "RecordImageScan",
    data: { ...ref, imageDigest: image.digest, startedAt: at(startedAt), outcome, recordedAt: at(ms) },
  }) as const;
const scanStarted = (events: ReadonlyArray<BerthEvent>) =>
  events.filter((e) => e.type === "ImageScanStarted");

describe("repository filters", () => {
  const name = fc.stringMatching(/^[a-z0-9]+(?:[._/-][a-z0-9]+){0,3}$/);

  test.prop([name])("a filter without a wildcard matches exactly its own name", (n) => {
    expect(wildcardMatches(n, n)).toBe(true);
    expect(wildcardMatches(n, `${n}x`)).toBe(false);
    expect(wildcardMatches(`x${n}`, n)).toBe(false);
  });

  test.prop([name, name])("`*` stands for any run of characters, slashes and dots included", (a, b) => {
    expect(wildcardMatches("*", `${a}/${b}`)).toBe(true);
    expect(wildcardMatches(`${a}*`, `${a}${b}`)).toBe(true);
    expect(wildcardMatches(`*${b}`, `${a}.${b}`)).toBe(true);
    expect(wildcardMatches(`${a}*`, `x${a}`)).toBe(a.startsWith("x") && `x${a}`.startsWith(a));
  });

  it("a dot is a dot, not any character", () => {
    expect(wildcardMatches("team.app", "team-app")).toBe(false);
  });
});

describe("the scanning a repository gets", () => {
  const repository = (name: string, scanOnPush: boolean) => ({
    name: branded(RepositoryName, name),
    scanOnPush,
  });
  const basic = (rules: ReadonlyArray<{ scanFrequency: ScanFrequency; filters: ReadonlyArray<string> }>) => ({
    scanType: "BASIC" as const,
    rules: rules.map((r) => ({
      scanFrequency: r.scanFrequency,
      repositoryFilters: r.filters.map((filter) => ({ filter, filterType: "WILDCARD" as const })),
    })),
  });

  it("without registry rules, the repository's own scanOnPush", () => {
    expect(effectiveScanning(basic([]), repository("team/app", true))).toEqual({
      scanOnPush: true,
      scanFrequency: "SCAN_ON_PUSH",
      appliedScanFilters: [],
    });
    expect(effectiveScanning(basic([]), repository("team/app", false))).toEqual({
      scanOnPush: false,
      scanFrequency: "MANUAL",
      appliedScanFilters: [],
    });
  });

  it("a matching rule wins over the repository, with the filters that matched", () => {
    const config = basic([{ scanFrequency: "SCAN_ON_PUSH", filters: ["team/*", "other", "*app"] }]);
    expect(effectiveScanning(config, repository("team/app", false))).toEqual({
      scanOnPush: true,
      scanFrequency: "SCAN_ON_PUSH",
      appliedScanFilters: [
        { filter: "team/*", filterType: "WILDCARD" },
        { filter: "*app", filterType: "WILDCARD" },
      ],
    });
    const manual = basic([{ scanFrequency: "MANUAL", filters: ["team/*"] }]);
    expect(effectiveScanning(manual, repository("team/app", true)).scanOnPush).toBe(false);
    expect(effectiveScanning(manual, repository("solo", true)).scanOnPush).toBe(true);
  });

  const frequency = fc.constantFrom<ScanFrequency>("SCAN_ON_PUSH", "CONTINUOUS_SCAN", "MANUAL");
  const filter = fc.constantFrom("*", "team/*", "*app", "team/app", "x*", "other");
  const rank = { MANUAL: 1, SCAN_ON_PUSH: 2, CONTINUOUS_SCAN: 3 } as const;

  test.prop([
    fc.array(fc.record({ scanFrequency: frequency, filters: fc.array(filter, { maxLength: 3 }) }), {
      maxLength: 2,
    }),
    fc.constantFrom("team/app", "other", "xyz"),
    fc.boolean(),
  ])("the most frequent matching rule applies; else the repository decides", (rules, name, scanOnPush) => {
    const config = { ...basic(rules), scanType: "ENHANCED" as const };
    const effective = effectiveScanning(config, repository(name, scanOnPush));
    const matching = rules.filter((r) => r.filters.some((f) => wildcardMatches(f, name)));
    if (matching.length === 0) {
      expect(effective).toEqual({
        scanOnPush,
        scanFrequency: scanOnPush ? "SCAN_ON_PUSH" : "MANUAL",
        appliedScanFilters: [],
      });
      return;
    }
    const best = Math.max(...matching.map((r) => rank[r.scanFrequency]));
    expect(rank[effective.scanFrequency]).toBe(best);
    expect(effective.scanOnPush).toBe(effective.scanFrequency !== "MANUAL");
    expect(effective.appliedScanFilters.length).toBeGreaterThan(0);
    for (const applied of effective.appliedScanFilters)
      expect(wildcardMatches(applied.filter, name)).toBe(true);
  });
});

describe("PutRegistryScanningConfiguration", () => {
  it("basic scanning refuses continuous scans", () =>
    spec()
      .when(registryRules("BASIC", [{ scanFrequency: "CONTINUOUS_SCAN", filters: ["*"] }]))
      .thenFails("InvalidParameterException", {
        message:
          "Invalid parameter at 'scanFrequency' failed to satisfy constraint: 'The scan frequency CONTINUOUS_SCAN is not supported for scan type BASIC. Supported scan frequencies for scan type BASIC: [SCAN_ON_PUSH, MANUAL]'",
      }));

  it("enhanced scanning takes them; the configuration is replaced whole", () =>
    spec()
      .when(registryRules("ENHANCED", [{ scanFrequency: "CONTINUOUS_SCAN", filters: ["*"] }]))
      .then([
        {
          type: "RegistryScanningConfigurationChanged",
          data: {
            registryId,
            scanType: "ENHANCED",
            rules: [
              {
                scanFrequency: "CONTINUOUS_SCAN",
                repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }],
              },
            ],
          },
        },
      ]));
});

describe("scans and the quota", () => {
  it("a push into a repository that scans on push starts a scan in the same decision", () =>
    spec(given(pushTo(app, { scanOnPush: true }).slice(0, -1)))
      .when(c.putImage(app, image, { tag: "v1" }))
      .then((events) => {
        expect(events.map((e) => e.type)).toEqual(["ImagePushed", "ImageScanStarted"]);
        expect(events[1]?.data).toEqual({ ...ref, imageDigest: image.digest, startedAt: EXAMPLE_TIME });
      }));

  it("a registry rule makes a repository scan on push; a repository it does not match does not", () => {
    const rule = registryRules("BASIC", [{ scanFrequency: "SCAN_ON_PUSH", filters: ["team/a*"] }]);
    spec(given(rule, pushTo(app).slice(0, -1)))
      .when(c.putImage(app, image))
      .then((events) => expect(scanStarted(events)).toHaveLength(1));
    spec(given(rule, pushTo(other).slice(0, -1)))
      .when(c.putImage(other, image))
      .then((events) => expect(scanStarted(events)).toHaveLength(0));
  });

  it("PutImageScanningConfiguration turns scan on push on for the pushes that follow", () => {
    const on: BerthCommand = { type: "PutImageScanningConfiguration", data: { ...ref, scanOnPush: true } };
    spec(given(pushTo(app).slice(0, -1), on))
      .when(c.putImage(app, image))
      .then((events) => expect(scanStarted(events)).toHaveLength(1));
  });

  test.prop([fc.integer({ min: 0, max: 3 * DAY }), fc.integer({ min: 0, max: 3 * DAY })])(
    "a second scan is refused iff it comes less than 24 hours after the first",
    (first, gap) => {
      const when = spec(given(pushTo(app), startScan(first))).when(startScan(first + gap));
      if (gap < DAY)
        when.thenFails("LimitExceededException", {
          message: "The scan quota per image has been exceeded. Wait and try again.",
        });
      else
        when.then([
          {
            type: "ImageScanStarted",
            data: { ...ref, imageDigest: image.digest, startedAt: at(first + gap) },
          },
        ]);
    },
  );

  it("scan on push counts against the quota", () =>
    spec(given(pushTo(app, { scanOnPush: true })))
      .when(startScan(DAY - 1))
      .thenFails("LimitExceededException"));

  it("an image that does not exist cannot be scanned", () =>
    spec(given(pushTo(app)))
      .when(startScan(0, { imageTag: "nope" }))
      .thenFails("ImageNotFoundException", {
        message: `The image with imageId {imageDigest:'null', imageTag:'nope'} does not exist within the repository with name 'team/app' in the registry with id '${registryId}'`,
      }));
});

describe("recording a scan", () => {
  const findings: ScanFinding[] = [
    { name: "CVE-1", severity: "HIGH" },
    { name: "CVE-2", severity: "CRITICAL", attributes: [{ key: "package_name", value: "openssl" }] },
    { name: "CVE-3", severity: "HIGH" },
    { name: "CVE-4" },
  ];
  const complete = { status: "COMPLETE", findings } as const;

  it("records the outcome of the scan in progress once; a late or stale outcome records nothing", () => {
    spec(given(pushTo(app), startScan(0)))
      .when(record(0, complete))
      .then((events) => expect(events.map((e) => e.type)).toEqual(["ImageScanCompleted"]));
    spec(given(pushTo(app), startScan(0), record(0, complete)))
      .when(record(0, complete))
      .thenNothingHappens();
    spec(given(pushTo(app), startScan(0)))
      .when(record(5, complete))
      .thenNothingHappens();
    spec(given(pushTo(app)))
      .when(record(0, complete))
      .thenNothingHappens();
  });

  const stateAfter = (...commands: Array<BerthCommand | BerthCommand[]>) => fold(given(...commands));
  const findingsOf = (
    state: ReturnType<typeof fold>,
    page: { maxResults?: number; nextToken?: string } = {},
  ) => describeImageScanFindings(state, { ...ref, imageId: { imageTag: "v1" as never }, ...page });

  it("an image never scanned: ScanNotFoundException in ECR's words", () => {
    const answer = findingsOf(stateAfter(pushTo(app)));
    expect(answer).toEqual(
      E.left({
        _tag: "ScanNotFoundException",
        message: `Image scan does not exist for the image with '{imageDigest:'null', imageTag:'v1'}' in the repository with name 'team/app' in the registry with id '${registryId}'`,
      }),
    );
  });

  it("in progress, complete with findings and counts, failed with its reason", () => {
    const inProgress = findingsOf(stateAfter(pushTo(app), startScan(0)));
    expect(inProgress).toEqual(
      E.right({
        ...ref,
        imageId: { imageDigest: image.digest, imageTag: "v1" },
        imageScanStatus: { status: "IN_PROGRESS" },
      }),
    );
    const done = stateAfter(pushTo(app), startScan(0), record(0, complete, 7000));
    expect(findingsOf(done)).toEqual(
      E.right({
        ...ref,
        imageId: { imageDigest: image.digest, imageTag: "v1" },
        imageScanStatus: { status: "COMPLETE", description: "The scan was completed successfully." },
        imageScanFindings: {
          imageScanCompletedAt: at(7000),
          findingSeverityCounts: { HIGH: 2, CRITICAL: 1, UNDEFINED: 1 },
          findings,
        },
      }),
    );
    const failed = stateAfter(
      pushTo(app),
      startScan(0),
      record(0, { status: "FAILED", reason: "scanner down" }),
    );
    expect(E.map((a: { imageScanStatus: unknown }) => a.imageScanStatus)(findingsOf(failed))).toEqual(
      E.right({ status: "FAILED", description: "scanner down" }),
    );
    const details = describeImages(done, ref);
    expect(E.isRight(details) && details.right.imageDetails[0]).toMatchObject({
      imageScanStatus: { status: "COMPLETE" },
      imageScanFindingsSummary: {
        imageScanCompletedAt: at(7000),
        findingSeverityCounts: { HIGH: 2, CRITICAL: 1, UNDEFINED: 1 },
      },
    });
  });

  test.prop([fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 7 })])(
    "pages of findings, concatenated, are every finding once and in order",
    (count, maxResults) => {
      const many = Array.from({ length: count }, (_, i) => ({ name: `CVE-${i}`, severity: "LOW" as const }));
      const state = stateAfter(pushTo(app), startScan(0), record(0, { status: "COMPLETE", findings: many }));
      const seen: ScanFinding[] = [];
      let nextToken: string | undefined;
      do {
        const page = findingsOf(state, { maxResults, ...(nextToken === undefined ? {} : { nextToken }) });
        if (E.isLeft(page)) throw new Error(page.left.message);
        seen.push(...(page.right.imageScanFindings?.findings ?? []));
        expect(page.right.imageScanFindings?.findingSeverityCounts).toEqual(
          count === 0 ? {} : { LOW: count },
        );
        nextToken = page.right.nextToken;
      } while (nextToken !== undefined);
      expect(seen).toEqual(many);
    },
  );

  it("a token of another scan is refused", () => {
    const state = stateAfter(pushTo(app), startScan(0), record(0, complete));
    expect(findingsOf(state, { nextToken: "scan1.5.1" })).toEqual(
      E.left(expect.objectContaining({ _tag: "InvalidParameterException" })),
    );
  });
});
