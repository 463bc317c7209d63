/** The manifest loader: `gilbert.yaml` (and its imports) → the typed Manifest the runner reads. */
export type { Manifest, Mixin, PluginRef, Task } from './ast.js';
export { loadManifest, type LoadOptions } from './load.js';
