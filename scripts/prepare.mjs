// npm's `prepare` in a source checkout: builds dist/ and gilbert.schema.json
// (`npm run build`). It runs on `npm ci`/`npm install` in a clone, on `npm
// pack`, and when npm installs gilbert-ts from a git URL or a folder; an
// installed package has no src/ and package.json skips this script there.
//
// `npm install -g <git URL or folder>` runs it without the devDependencies
// the build needs (npm/cli#8440: the clone's dependencies go to the global
// prefix instead). Then they are installed here first, into this folder.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function resolvable(name) {
  try {
    createRequire(path.join(root, 'package.json')).resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

if (!['typescript', 'esbuild', 'commander'].every(resolvable)) {
  // a local install into this folder, whatever the outer command's --global/--prefix
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_(global|prefix|location)$/i.test(key)));
  run(npm[0], [...npm.slice(1), 'install', '--no-save', '--include=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--global=false', '--prefix', root], env);
}
run(npm[0], [...npm.slice(1), 'run', 'build']);
