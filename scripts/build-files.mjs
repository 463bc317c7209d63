// Writes the files the build adds to tsc's output (run after tsc):
//   dist/build-info.json  {"commit": "<short hash>"}, which `gilbert version`
//                         reports; "unknown" outside a git checkout
//   gilbert.schema.json   the JSON Schema of gilbert.yaml, generated from the
//                         validator's field table (src/manifest/fields.ts);
//                         `gilbert init` points editors at it
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || commit;
} catch {
  // no git, or not a checkout
}
mkdirSync(path.join(root, 'dist'), { recursive: true });
writeFileSync(path.join(root, 'dist', 'build-info.json'), `${JSON.stringify({ commit })}\n`);

const { manifestSchemaText } = await import(pathToFileURL(path.join(root, 'dist', 'manifest', 'schema.js')).href);
writeFileSync(path.join(root, 'gilbert.schema.json'), manifestSchemaText());
