/**
 * Reads `go test -json` output: which tests failed (with their output) and
 * which packages have no tests, formatted as Gilbert's cover report did.
 */

interface TestEvent {
  Action?: string;
  Package?: string;
  /** build-output events (Go 1.24+) name the package being built here */
  ImportPath?: string;
  /** on a package's `fail`: the build that failed, whose build-output explains why */
  FailedBuild?: string;
  Test?: string;
  Output?: string;
}

/** Output lines that only repeat what the failure list already says. */
const noiseLines = ['=== RUN', '--- FAIL'];

export class TestEvents {
  private readonly events: TestEvent[] = [];
  /** lines that were not JSON (build errors go there on some Go versions) */
  readonly otherOutput: string[] = [];
  private pending = '';

  write(chunk: Buffer | string): void {
    const lines = (this.pending + chunk.toString()).split('\n');
    this.pending = lines.pop() ?? '';
    lines.forEach((line) => this.add(line));
  }

  end(): void {
    this.add(this.pending);
    this.pending = '';
  }

  private add(line: string): void {
    if (line.trim() === '') return;
    try {
      this.events.push(JSON.parse(line) as TestEvent);
    } catch {
      this.otherOutput.push(line);
    }
  }

  /** package -> test ('' for package-level failures such as build errors) -> output lines */
  failures(): Map<string, Map<string, string[]>> {
    const failed = new Map<string, Map<string, string[]>>();
    for (const e of this.events) {
      if (e.Action !== 'fail') continue;
      const pkg = e.Package ?? '';
      if (!failed.has(pkg)) failed.set(pkg, new Map());
      failed.get(pkg)!.set(e.Test ?? '', e.FailedBuild ? this.buildOutput(e.FailedBuild) : []);
    }
    for (const e of this.events) {
      if (e.Action !== 'output' || !e.Output) continue;
      const tests = failed.get(e.Package ?? '');
      const lines = tests?.get(e.Test ?? '');
      if (!lines || noiseLines.some((noise) => e.Output!.includes(noise))) continue;
      if (e.Output.trim() !== '') lines.push(e.Output.trim());
    }
    return failed;
  }

  /** The compiler's messages for a failed build (`build-output` events). */
  private buildOutput(importPath: string): string[] {
    return this.events
      .filter((e) => e.Action === 'build-output' && e.ImportPath === importPath && e.Output?.trim())
      .map((e) => e.Output!.trim());
  }

  /** Formatted failure list and the number of failed tests. */
  formatFailures(): { text: string; count: number } {
    const out: string[] = [];
    let count = 0;
    for (const [pkg, tests] of this.failures()) {
      out.push(`  Package "${pkg}":`);
      for (const [test, lines] of tests) {
        // the package's own `fail` only repeats that some test failed
        if (test === '' && tests.size > 1) continue;
        out.push(`    ${test || '[Test Execution Error]'}`);
        lines.forEach((line) => out.push(`      ${line}`));
        count++;
      }
    }
    return { text: out.join('\n'), count };
  }

  /**
   * Packages without tests: `skip` events (Go < 1.22 printed "[no test
   * files]"), or, since Go 1.22 lists them with 0% coverage, packages that
   * finished without running a single test.
   */
  packagesWithoutTests(): string[] {
    const ranTests = new Set<string>();
    const finished: string[] = [];
    for (const e of this.events) {
      if (e.Test && e.Package) ranTests.add(e.Package);
      if (!e.Test && e.Package && (e.Action === 'skip' || e.Action === 'pass')) finished.push(e.Package);
    }
    return [...new Set(finished.filter((pkg) => !ranTests.has(pkg)))];
  }
}
