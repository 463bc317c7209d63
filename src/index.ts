/**
 * gilbert-ts as a library: load a manifest and run its tasks from code,
 * with the same runner, scope and logger the `gilbert` CLI uses.
 */
export * from './sdk/index.js';
export { loadManifest, type Manifest, type Task, type Mixin, type PluginRef } from './manifest/index.js';
export { createScope, type ScopeOptions } from './scope/index.js';
export { TaskRunner, RunContext, dryRun, type RunOptions, type TaskRunnerOptions } from './runner/index.js';
export { ActionRegistry, createBuiltinRegistry } from './actions/index.js';
export { SinkLogger, recordingLogger, type LogSink, type LogRecord } from './log/logger.js';
export { createConsoleLogger, shouldUseColor, type ConsoleOptions } from './log/console.js';
export { LineWriter } from './log/line-writer.js';
