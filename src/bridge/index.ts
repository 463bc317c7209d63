export { connectShim, GoPluginError, type OpenedPlugin, type GoShim } from './shim.js';
export { defaultShimPath, requireShim, shimBuildInfo, type ShimBuildInfo } from './shim-path.js';
