/** The one table `pnpm bench` prints, and the JSON it writes beside it. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";

/**
 * One figure. `higherIsBetter` figures (throughputs) are compared with their limit as value/limit;
 * lower-is-better figures (latencies) as value/limit too, read as "times the limit".
 */
export interface Row {
  readonly section: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly higherIsBetter: boolean;
  readonly limit?: { readonly name: string; readonly value: number; readonly unit: string };
  /** A target on value/limit: at least (throughputs) or at most (latencies) this ratio. */
  readonly target?: number;
  /** Extra numbers kept in the JSON only (samples, percentiles, counts). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Why there is no figure (the measured process died or timed out): printed as the value, target missed. */
  readonly failed?: string;
}

export const ratioOf = (row: Row): number | undefined =>
  row.limit === undefined || row.failed !== undefined ? undefined : row.value / row.limit.value;

export const targetMet = (row: Row): boolean | undefined => {
  if (row.failed !== undefined) return row.target === undefined ? undefined : false;
  const ratio = ratioOf(row);
  if (row.target === undefined || ratio === undefined) return undefined;
  return row.higherIsBetter ? ratio >= row.target : ratio <= row.target;
};

/** 3 significant digits, thousands separated: 1,780 · 12.3 · 0.456 · 1.23 M. */
export const formatNumber = (value: number): string => {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (Number.isInteger(value) && abs < 1_000_000) return value.toLocaleString("en-US");
  if (abs >= 10_000_000) return `${(value / 1_000_000).toFixed(1)} M`;
  if (abs >= 1_000_000) return `${(value / 1_000_000).toFixed(2)} M`;
  if (abs >= 100) return Math.round(value).toLocaleString("en-US");
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(3);
};

const formatRatio = (row: Row, ratio: number): string =>
  row.higherIsBetter ? `${(ratio * 100).toFixed(ratio < 0.1 ? 1 : 0)}%` : `${ratio.toFixed(2)}×`;

const formatTarget = (row: Row): string => {
  if (row.target === undefined) return "";
  const bound = row.higherIsBetter ? `≥ ${Math.round(row.target * 100)}%` : `≤ ${row.target}×`;
  const met = targetMet(row);
  return `${bound} ${met === undefined ? "?" : met ? "met" : "MISSED"}`;
};

export const renderTable = (rows: ReadonlyArray<Row>): string => {
  const header = ["#", "measure", "value", "limit", "limit value", "ratio", "target"];
  const cells = rows.map((row) => {
    const ratio = ratioOf(row);
    return [
      row.section,
      row.name,
      row.failed === undefined ? `${formatNumber(row.value)} ${row.unit}` : `failed: ${row.failed}`,
      row.limit?.name ?? "",
      row.limit === undefined ? "" : `${formatNumber(row.limit.value)} ${row.limit.unit}`,
      ratio === undefined ? "" : formatRatio(row, ratio),
      formatTarget(row),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: ReadonlyArray<string>) =>
    `| ${values.map((v, i) => (i === 2 || i === 4 || i === 5 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 2 || i === 4 || i === 5 ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(header), rule, ...cells.map(line)].join("\n");
};

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly postgres?: string;
  readonly os: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  readonly loadAverage: number;
}

export const describeMachine = (postgres: string | undefined): Machine => {
  let cpu = cpus()[0]?.model ?? "unknown";
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, "m").exec(info)?.[1]?.trim();
    const details = [field("cpu MHz") && `${Math.round(Number(field("cpu MHz")))} MHz`, field("cache size")]
      .filter(Boolean)
      .join(", ");
    cpu = `${field("model name") ?? cpu}${details === "" ? "" : ` (${details})`}`;
  } catch {
    // not Linux: os.cpus() it is
  }
  let os = `${process.platform} ${process.arch}`;
  try {
    os = execFileSync("uname", ["-srm"], { encoding: "utf8" }).trim();
  } catch {
    // keep the platform name
  }
  return {
    cpu,
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    ...(postgres === undefined ? {} : { postgres }),
    os,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
  };
};

export const renderMachine = (machine: Machine): string =>
  [
    `CPU: ${machine.cpu}, ${machine.cores} cores · RAM: ${machine.memoryGiB} GiB · ${machine.os}`,
    `Node ${machine.node}${machine.postgres === undefined ? "" : ` · ${machine.postgres}`} · load average at start: ${machine.loadAverage}`,
  ].join("\n");
