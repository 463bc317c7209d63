import type { Shape } from '../actions/params.js';
import { unknownParams } from '../actions/params.js';
import { ManifestError } from '../errors.js';
import type { Manifest, ManifestWarning } from '../manifest/ast.js';
import { suggest } from '../suggest.js';
import type { Job } from '../sdk/index.js';

/** The built-in actions' param schemas, loaded only for actions the manifest uses. */
// A Map: an action named `toString` or `constructor` must not find Object.prototype's members.
const builtinShapes = new Map<string, () => Promise<{ paramShape: Shape }>>([
  ['shell', () => import('../actions/shell/index.js')],
  ['build', () => import('../actions/build/index.js')],
  ['cover', () => import('../actions/cover/index.js')],
  ['cover:html', () => import('../actions/cover-html/index.js')],
  ['get-package', () => import('../actions/get-package/index.js')],
  ['go-get', () => import('../actions/get-package/index.js')],
  ['watch', () => import('../actions/watch/params.js')],
]);

/**
 * Unknown params of built-in actions in every task and mixin. Gilbert's
 * mapstructure ignored them, so they are warnings (the job runs without
 * them), or with `strict` an error naming the first one.
 */
export async function checkBuiltinParams(manifest: Manifest, options: { strict?: boolean } = {}): Promise<ManifestWarning[]> {
  const owners: [string, readonly Job[]][] = [
    ...Object.values(manifest.tasks).map((task): [string, readonly Job[]] => [`task '${task.name}'`, task.jobs]),
    ...Object.values(manifest.mixins).map((mixin): [string, readonly Job[]] => [`mixin '${mixin.name}'`, mixin.jobs]),
  ];
  const warnings: ManifestWarning[] = [];
  for (const [owner, jobs] of owners) {
    for (const [index, job] of jobs.entries()) {
      const load = job.action ? builtinShapes.get(job.action) : undefined;
      if (!load || !job.params || !job.location) continue;
      const { paramShape } = await load();
      for (const unknown of unknownParams(paramShape, job.params)) {
        const leaf = unknown.path.slice(unknown.path.lastIndexOf('.') + 1);
        const warning: ManifestWarning = {
          message: `unknown param '${unknown.path}' of action '${job.action}' in job ${index + 1} of ${owner}${suggest(leaf, unknown.known)}`,
          location: job.location,
          hint: `known params${unknown.path.includes('.') ? ` of '${unknown.path.slice(0, unknown.path.lastIndexOf('.'))}'` : ''}: ${unknown.known.join(', ')}`,
        };
        // worded as the loader's strict errors are
        if (options.strict) throw new ManifestError(`failed to parse manifest file:\n  ${warning.message}`, { location: warning.location, hint: warning.hint });
        warnings.push(warning);
      }
    }
  }
  return warnings;
}
