export { GoBridge, type OpenedPlugin, type Transport, type TransportSink } from './client.js';
export { connectShim, type ShimBridge } from './in-process.js';
export { GoPluginError } from './marshal.js';
export { defaultShimPath, requireShim, shimBuildInfo, type ShimBuildInfo } from './shim-path.js';
