import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { recordingLogger } from '../../src/log/logger.js';
import { abiDifferences, defaultShimPath, matchingShim, readGoBuildInfo, shimBuildInfo } from '../../src/plugins/abi/index.js';
import { CLI, cliEnv, finish, project, runCli, waitForOutput } from '../e2e/helpers.js';
import { buildHelloPlugin, runCliInTerminal, scratch } from './helpers.js';

const otherToolchain = 'go1.25.0';

const pluginNames: Record<string, string> = { plain: 'hello', trimpath: 'trimmed', sdk086: 'oldsdk', toolchain: 'othergo' };

function manifest(plugins: string[], who: string): string {
  const jobs = plugins.map((plugin) => {
    const name = pluginNames[path.basename(plugin, '.so')]!;
    return `    - action: ${name}:greet\n      params:\n        who: ${who} from ${name}\n`;
  });
  return `version: "1.0"\nplugins:\n${plugins.map((plugin) => `  - file://${plugin}\n`).join('')}tasks:\n  greet:\n${jobs.join('')}`;
}

describe('ABI matching of Go plugins', { timeout: 1_500_000 }, () => {
  let work: { dir: string; dispose: () => Promise<void> };
  let home: { dir: string; dispose: () => Promise<void> };
  const variants: Record<string, string> = {};

  before(async () => {
    work = await scratch('gilbert-abi-');
    home = await scratch('gilbert-abi-home-');
    variants.plain = await buildHelloPlugin(work.dir, 'plain');
    variants.trimpath = await buildHelloPlugin(work.dir, 'trimpath', { flags: ['-trimpath'], pluginName: 'trimmed' });
    variants.sdk086 = await buildHelloPlugin(work.dir, 'sdk086', { sdk: 'v0.8.6', pluginName: 'oldsdk' });
    variants.toolchain = await buildHelloPlugin(work.dir, 'toolchain', { env: { GOTOOLCHAIN: otherToolchain }, pluginName: 'othergo' });
  });
  after(async () => {
    await work?.dispose();
    await home?.dispose();
  });

  async function runTask(manifestText: string, task: string, options: { inTerminal?: boolean; args?: string[] } = {}) {
    const dir = await project(undefined, manifestText);
    try {
      const run = options.inTerminal ? runCliInTerminal : runCli;
      return await run([...(options.args ?? []), 'run', task], { cwd: dir.dir, env: cliEnv({ GILBERT_HOME: home.dir }), timeoutMs: 400_000 });
    } finally {
      await dir.cleanup();
    }
  }
  const greet = (plugins: string[], who: string, options: { inTerminal?: boolean } = {}) => runTask(manifest(plugins, who), 'greet', options);

  it('reads toolchain, module versions and -trimpath from the plugins before opening them', async () => {
    const shim = await shimBuildInfo(defaultShimPath());
    const differences = async (file: string) => abiDifferences((await readGoBuildInfo(file))!, shim).map((d) => `${d.what}: ${d.plugin}`);
    assert.deepEqual(await differences(variants.plain!), []);
    assert.deepEqual(await differences(variants.trimpath!), ['-trimpath: true']);
    assert.deepEqual(await differences(variants.sdk086!), ['module github.com/go-gilbert/gilbert-sdk: v0.8.6']);
    assert.deepEqual(await differences(variants.toolchain!), [`Go toolchain: ${otherToolchain}`]);
  });

  it('loads a plugin that matches the default shim without building anything', async () => {
    const result = await greet([variants.plain!], 'plain');
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /hello, plain from hello/);
    assert.doesNotMatch(result.stdout + result.stderr, /Building a Go shim/);
  });

  for (const [variant, expectation] of [
    ['trimpath', /-trimpath=true/],
    ['sdk086', /gilbert-sdk v0\.8\.6/],
    ['toolchain', new RegExp(otherToolchain.replace(/\./g, '\\.'))],
  ] as const) {
    it(`builds a matching shim for a plugin differing by ${variant}, runs it, and reuses the shim`, async () => {
      // The trimpath build runs with a terminal, so that the shim build's progress spinner is seen.
      const first = await greet([variants[variant]!], variant, { inTerminal: variant === 'trimpath' });
      assert.equal(first.code, 0, first.stderr + first.stdout);
      const spinner = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] building a Go shim for 'file:\/\/.*\.so' with go1\.\d+\.\d+: compiling \(\d+s\)/;
      if (variant === 'trimpath') assert.match(first.stdout, spinner);
      else assert.doesNotMatch(first.stdout + first.stderr, spinner, 'no spinner without a terminal');
      assert.match(first.stdout + first.stderr, /Building a Go shim matching plugin/);
      assert.match(first.stdout + first.stderr, expectation);
      assert.match(first.stdout, new RegExp(`hello, ${variant} from ${pluginNames[variant]}`));
      const again = await greet([variants[variant]!], `${variant}-again`);
      assert.equal(again.code, 0, again.stderr + again.stdout);
      assert.match(again.stdout, new RegExp(`hello, ${variant}-again from ${pluginNames[variant]}`));
      assert.doesNotMatch(again.stdout + again.stderr, /Building a Go shim/, 'the matching shim is cached');
    });
  }

  it('runs plugins that need different shims in one manifest: one in process, the others in Go host processes', async () => {
    const all = [variants.plain!, variants.trimpath!, variants.sdk086!, variants.toolchain!];
    const result = await greet(all, 'all');
    assert.equal(result.code, 0, result.stderr + result.stdout);
    for (const name of Object.values(pluginNames)) assert.match(result.stdout, new RegExp(`hello, all from ${name}`));
    const order = Object.values(pluginNames).map((name) => result.stdout.indexOf(`hello, all from ${name}`));
    assert.deepEqual([...order].sort((a, b) => a - b), order, 'the jobs ran in manifest order in one job graph');
    assert.match(result.stdout, /Task 'greet' ran successfully/);
  });

  it('gives a Go host process plugin variable expansion, logs, cancellation, RunJob and ActionByName in the main job graph', async () => {
    const text = [
      'vars:',
      '  NAME: expanded',
      'plugins:',
      `  - file://${variants.plain}`,
      `  - file://${variants.trimpath}`,
      'tasks:',
      '  greet:',
      '    - action: trimmed:greet',
      '      params:',
      '        who: "{{ NAME }} {% echo by-shell %}"',
      '  wait:',
      '    - action: trimmed:wait',
      '      deadline: 300',
      '  outer:',
      '    - action: trimmed:run',
      '      params: {task: inner}',
      '  inner:',
      '    - action: hello:greet',
      '      params: {who: in-process}',
      '    - action: trimmed:greet',
      '      params: {who: worker}',
      '  delegate:',
      '    - action: trimmed:delegate',
      '      params: {action: hello:greet, params: {who: from-worker-to-main}}',
      '    - action: hello:delegate',
      '      params: {action: trimmed:greet, params: {who: from-main-to-worker}}',
      '    - action: trimmed:delegate',
      '      params: {action: nope:nope}',
      '',
    ].join('\n');
    const greeted = await runTask(text, 'greet');
    assert.equal(greeted.code, 0, greeted.stderr + greeted.stdout);
    assert.match(greeted.stdout, /hello, expanded by-shell/);

    const waited = await runTask(text, 'wait');
    assert.equal(waited.code, 1, waited.stderr + waited.stdout);
    assert.match(waited.stdout + waited.stderr, /waiting for cancellation/);
    assert.match(waited.stdout + waited.stderr, /wait: cancel requested/, "the deadline reached the Go handler's Cancel in the worker");
    assert.match(waited.stdout + waited.stderr, /ERROR: .*wait was (cancelled|stopped)|deadline/);

    const nested = await runTask(text, 'outer');
    assert.equal(nested.code, 0, nested.stderr + nested.stdout);
    assert.match(nested.stdout, /- trimmed:run\n {6}- \[1\/2\] hello:greet\n {8}hello, in-process\n {6}- \[2\/2\] trimmed:greet\n {8}hello, worker\n/, "the worker plugin's RunJob runs the task in the main job graph, nested under it");

    const delegated = await runTask(text, 'delegate');
    assert.equal(delegated.code, 1, delegated.stderr + delegated.stdout);
    assert.match(delegated.stdout, /hello, from-worker-to-main/, "a worker plugin's ActionByName creates and calls a main-process action");
    assert.match(delegated.stdout, /hello, from-main-to-worker/);
    assert.match(delegated.stderr + delegated.stdout, /ERROR: .*step 3: no such action handler: 'nope:nope'/);
  });

  for (const [how, ending] of [
    ['exit', /^ERROR: .*step 2: Go plugin 'trimmed' \(action 'trimmed:crash'\) exited with status 3 after writing: crash: a line on the plugin's own stderr$/m],
    ['panic', /^ERROR: .*step 2: Go plugin 'trimmed' \(action 'trimmed:crash'\) crashed: panic: crash: a goroutine panicked$/m],
  ] as const) {
    it(`a Go host process plugin ending its process with ${how} fails only its job; the main process reports it and the others end`, async () => {
      const text = [
        'plugins:',
        `  - file://${variants.plain}`,
        `  - file://${variants.trimpath}`,
        'tasks:',
        '  crash:',
        '    - action: hello:wait',
        '      async: true',
        '    - action: trimmed:crash',
        `      params: {how: ${how}}`,
        '',
      ].join('\n');
      const result = await runTask(text, 'crash');
      const output = result.stdout + result.stderr;
      assert.equal(result.code, 1, output);
      assert.match(output, ending);
      // its stderr passes through; the line just before os.Exit is its last words, in the ERROR
      if (how === 'panic') assert.match(result.stderr, /^crash: a line on the plugin's own stderr$/m, "the host's stderr passes through");
      // the in-process wait's Cancel error is reported inline (a sibling's failure); the run has one ERROR of its own
      assert.equal(output.match(/^ERROR: task/gm)?.length, 1, `one ERROR line for the run:\n${output}`);
      assert.match(output, /Waiting for 1 async job\(s\) to complete/, 'the main process went on with the job graph');
      if (output.includes('waiting for cancellation')) assert.match(output, /wait: cancel requested/, 'the in-process job was cancelled, not left hanging');
      assert.doesNotMatch(output, /goroutine \d+|\.go:\d+/, 'no Go trace without --verbose');
      assert.match(result.stderr, how === 'exit' ? /the plugin called os\.Exit/ : /panic or fatal error .*--verbose/);
      if (how === 'panic') {
        const verbose = await runTask(text, 'crash', { args: ['--verbose'] });
        assert.match(verbose.stdout + verbose.stderr, /Go trace of the crash:\n.*panic: crash: a goroutine panicked\n+goroutine \d+/, '--verbose shows the Go trace');
      }
    });
  }

  it("Ctrl+C reaches a Go host process plugin's Cancel: the host outlives the terminal's SIGINT to the process group", async () => {
    const text = `plugins:\n  - file://${variants.plain}\n  - file://${variants.trimpath}\ntasks:\n  wait:\n    - action: trimmed:wait\n`;
    const dir = await project(undefined, text);
    try {
      // detached: its own process group, which gets the SIGINT as a terminal's Ctrl+C would send it.
      const child = spawn(process.execPath, [CLI, 'run', 'wait'], { cwd: dir.dir, env: cliEnv({ GILBERT_HOME: home.dir }), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      const finished = finish(child, 120_000);
      await waitForOutput(child, 'waiting for cancellation', 60_000);
      process.kill(-child.pid!, 'SIGINT');
      const result = await finished;
      const output = result.stdout + result.stderr;
      assert.match(output, /wait: cancel requested/, "the worker's handler got Cancel");
      assert.doesNotMatch(output, /exited with status|crashed: |was killed by/);
      assert.equal(output.match(/ERROR/g)?.length, 1, output);
    } finally {
      await dir.cleanup();
    }
  });

  it('says what was found and what to do when no Go toolchain can build the shim', async () => {
    const { logger } = recordingLogger();
    const plugin = (await readGoBuildInfo(variants.trimpath!))!;
    const bare = await scratch('gilbert-abi-nogo-');
    try {
      await assert.rejects(
        matchingShim(plugin, { log: logger, signal: AbortSignal.timeout(60_000), env: { PATH: '/nonexistent', GILBERT_HOME: bare.dir }, pluginLabel: 'file://trimpath.so' }),
        (error: Error & { hint?: string }) => {
          assert.match(error.message, /^plugin was built with go1\.26\.\d+, gilbert-sdk v0\.9\.0, -trimpath=true, and no matching Go shim can be made: no Go toolchain found/);
          assert.match(error.hint ?? '', /install Go/);
          return true;
        },
      );
      const left = (await readdir(path.join(bare.dir, 'shims'), { recursive: true })).filter((name) => name.endsWith('.so'));
      assert.deepEqual(left, [], 'nothing half-built is cached');
      await assert.rejects(
        matchingShim({ ...plugin, goVersion: 'go1.20.14' }, { log: logger, signal: AbortSignal.timeout(60_000), env: { GILBERT_HOME: bare.dir }, pluginLabel: 'old.so' }),
        /its toolchain go1\.20\.14 is older than Go 1\.21, the first that GOTOOLCHAIN can fetch/,
      );
    } finally {
      await bare.dispose();
    }
  });
});
