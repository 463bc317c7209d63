/**
 * Coverage numbers from a `go test -coverprofile` file, and Gilbert's text
 * report of them.
 *
 * Gilbert re-parsed the Go sources (gocov) to count statements per package;
 * the profile already holds each block's statement count and hit count, so
 * package and total coverage come straight from it. Per-function numbers
 * (the full report) come from `go tool cover -func`, which knows where each
 * function starts.
 */

export interface Coverage {
  total: number;
  reached: number;
}

export interface PackageCoverage extends Coverage {
  name: string;
  /** function name -> coverage percentage, filled for the full report */
  functions: Map<string, number>;
}

export interface CoverageReport extends Coverage {
  packages: Map<string, PackageCoverage>;
}

export function percentage(c: Coverage): number {
  return c.reached === 0 ? 0 : (c.reached * 100) / c.total;
}

function packageOf(file: string): string {
  const slash = file.lastIndexOf('/');
  return slash < 0 ? file : file.slice(0, slash);
}

/** Parses a coverage profile (`mode: …` then `file:start,end numStmt count` lines). */
export function parseProfile(text: string): CoverageReport {
  // the same block can appear once per test binary (e.g. with -coverpkg): keep its highest count
  const blocks = new Map<string, { file: string; statements: number; count: number }>();
  for (const line of text.split('\n')) {
    const match = /^(.+):(\d+\.\d+,\d+\.\d+) (\d+) (\d+)$/.exec(line.trim());
    if (!match) continue;
    const [, file, span, statements, count] = match as unknown as [string, string, string, string, string];
    const key = `${file}:${span}`;
    const previous = blocks.get(key);
    if (!previous || Number(count) > previous.count) {
      blocks.set(key, { file, statements: Number(statements), count: Number(count) });
    }
  }
  const report: CoverageReport = { total: 0, reached: 0, packages: new Map() };
  for (const block of blocks.values()) {
    const name = packageOf(block.file);
    let pkg = report.packages.get(name);
    if (!pkg) {
      pkg = { name, total: 0, reached: 0, functions: new Map() };
      report.packages.set(name, pkg);
    }
    const reached = block.count > 0 ? block.statements : 0;
    pkg.total += block.statements;
    pkg.reached += reached;
    report.total += block.statements;
    report.reached += reached;
  }
  return report;
}

/** Adds `go tool cover -func` output (`file.go:12:\tName\t\t50.0%`) to the report's packages. */
export function addFunctionCoverage(report: CoverageReport, funcOutput: string): void {
  for (const line of funcOutput.split('\n')) {
    const match = /^(.+):\d+:\s+(\S+)\s+([\d.]+)%$/.exec(line.trim());
    if (!match) continue;
    const [, file, fn, pct] = match as unknown as [string, string, string, string];
    report.packages.get(packageOf(file))?.functions.set(fn, Number(pct));
  }
}

export type SortKey = 'coverage' | 'name';

function sortedEntries<T>(entries: [string, T][], by: SortKey, desc: boolean, pct: (value: T) => number): [string, T][] {
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  // equal coverage: by name ascending whatever `desc` says, so the order is stable between runs
  return entries.sort(([nameA, a], [nameB, b]) => {
    if (by === 'name') return desc ? byName(nameB, nameA) : byName(nameA, nameB);
    return (desc ? pct(b) - pct(a) : pct(a) - pct(b)) || byName(nameA, nameB);
  });
}

const fmt = (n: number) => `${n.toFixed(2)}%`;

/** `  - <package>: 50.00%` per package. */
export function formatSimple(report: CoverageReport, by: SortKey, desc: boolean): string {
  return sortedEntries([...report.packages], by, desc, percentage)
    .map(([name, pkg]) => `  - ${name}: ${fmt(percentage(pkg))}`)
    .join('\n');
}

/** `  Package '<package>' - 50.00%` then `    - <function>: 100.00%` per function. */
export function formatFull(report: CoverageReport, by: SortKey, desc: boolean): string {
  const lines: string[] = [];
  for (const [name, pkg] of sortedEntries([...report.packages], by, desc, percentage)) {
    lines.push(`  Package '${name}' - ${fmt(percentage(pkg))}`);
    for (const [fn, pct] of sortedEntries([...pkg.functions], by, desc, (value) => value)) {
      lines.push(`    - ${fn}: ${fmt(pct)}`);
    }
  }
  return lines.join('\n');
}
