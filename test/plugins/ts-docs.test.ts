import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { goPluginFiles } from '../../src/scaffold/go-template.js';
import { repoRoot, temporaryDirectory, within } from './ts/helpers.js';

/** The worked examples of the plugin guide, run as written: documentation that no longer works fails here. */

const guide = path.join(repoRoot, 'docs/plugins.md');
const cli = path.join(repoRoot, 'dist/cli/main.js');
const run = promisify(execFile);

/** The fenced code block whose first line is `first`. */
function block(markdown: string, first: string, containing = ''): string {
  const blocks = [...markdown.matchAll(/```\w*\n([\s\S]*?)```/g)].map((match) => match[1]!);
  const found = blocks.find((text) => text.startsWith(first) && text.includes(containing));
  assert.ok(found, `docs/plugins.md has no code block starting with '${first}'${containing ? ` containing '${containing}'` : ''}`);
  return found;
}

describe('docs/plugins.md examples', { timeout: 400_000 }, () => {
  let markdown = '';
  let dir = '';
  let cleanup = async () => {};
  before(async () => {
    markdown = await readFile(guide, 'utf8');
    ({ dir, cleanup } = await temporaryDirectory('docs'));
  });
  after(() => cleanup());

  const gilbert = (cwd: string, ...args: string[]) =>
    within(run(process.execPath, [cli, ...args, '--no-color'], { cwd, timeout: 150_000 }), 150_000, `gilbert ${args.join(' ')}`);

  it('the TypeScript plugin example runs', async () => {
    const project = path.join(dir, 'ts');
    await mkdir(project);
    await writeFile(path.join(project, 'plugin.ts'), block(markdown, '// plugin.ts'));
    await writeFile(path.join(project, 'gilbert.yaml'), block(markdown, '# gilbert.yaml', 'file://./plugin.ts'));
    const { stdout } = await gilbert(project, 'run', 'hello');
    assert.match(stdout, /^\s+Hello, TypeScript!\n\s+from shell$/m);
  });

  it('the test kit example passes against the TypeScript example', async () => {
    const project = path.join(dir, 'ts-test');
    await mkdir(path.join(project, 'node_modules'), { recursive: true });
    // what `npm install` gives the scaffold: this checkout as gilbert-ts, and its tsx
    await symlink(repoRoot, path.join(project, 'node_modules/gilbert-ts'), 'dir');
    await symlink(path.join(repoRoot, 'node_modules/tsx'), path.join(project, 'node_modules/tsx'), 'dir');
    await writeFile(path.join(project, 'package.json'), '{ "type": "module" }\n');
    await writeFile(path.join(project, 'plugin.ts'), block(markdown, '// plugin.ts'));
    await writeFile(path.join(project, 'plugin.test.ts'), block(markdown, '// plugin.test.ts'));
    // Without NODE_TEST_CONTEXT, which would make the inner runner report to this one instead of printing TAP.
    const { NODE_TEST_CONTEXT: _inner, ...env } = process.env;
    const { stdout } = await within(run(process.execPath, ['--import', 'tsx', '--test', 'plugin.test.ts'], { cwd: project, env, timeout: 60_000 }), 60_000, 'plugin test');
    assert.match(stdout, /^# pass 2$/m);
  });

  it('the Go plugin example builds, loads and runs', async () => {
    const project = path.join(dir, 'go');
    await mkdir(path.join(project, 'plugin'), { recursive: true });
    await writeFile(path.join(project, 'plugin/main.go'), block(markdown, '// plugin/main.go'));
    await writeFile(path.join(project, 'go.mod'), block(markdown, '// go.mod').replace('// go.mod\n', ''));
    // What `go mod tidy` would write, without asking the network.
    await writeFile(path.join(project, 'go.sum'), goPluginFiles('hello')['go.sum']!);
    await writeFile(path.join(project, 'gilbert.yaml'), block(markdown, '# gilbert.yaml', 'go://'));
    const { stdout } = await gilbert(project, 'run', 'hello');
    assert.match(stdout, /^\s+Hello, Go!\n\s+from shell$/m);
  });
});
