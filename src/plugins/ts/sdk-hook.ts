import Module, { register } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * A plugin living outside this package may `import { definePlugin } from
 * 'gilbert-ts/sdk'` without having gilbert-ts installed next to it: such
 * imports resolve to the host's own SDK module, so that a plugin needs
 * nothing installed to run and always speaks the running host's version.
 * (Where a plugin still ends up with a second copy, IntegralFloat's brand
 * keeps `instanceof` working.)
 */
const hostSdkUrl = import.meta.resolve('../../sdk/index.js');
const sdkSpecifiers = new Set(['gilbert-ts/sdk', 'gilbert-ts/sdk/index.js', 'gilbert-ts/dist/sdk/index.js']);

// A data: URL loads the same way whether the host runs from dist/ or from src/ under tsx.
const esmHookSource = `
const sdk = new Set(${JSON.stringify([...sdkSpecifiers])});
export async function resolve(specifier, context, nextResolve) {
  if (sdk.has(specifier)) return { url: ${JSON.stringify(hostSdkUrl)}, format: 'module', shortCircuit: true };
  return nextResolve(specifier, context);
}
`;

type ResolveFilename = (request: string, ...rest: unknown[]) => string;

let esmHookRegistered = false;
let cjsPatched = false;

/**
 * For ES modules: costs a module-hooks thread (~0.3 s), so plain JavaScript
 * plugins get it only when their import of `gilbert-ts/sdk` failed without it.
 */
export function redirectEsmSdkImports(): void {
  if (esmHookRegistered) return;
  esmHookRegistered = true;
  register(`data:text/javascript,${encodeURIComponent(esmHookSource)}`);
}

/** For CommonJS: cheap. Node 20 has no synchronous resolve hook for require(); the CommonJS resolver is the one entry point. */
export function redirectCjsSdkRequires(): void {
  if (cjsPatched) return;
  cjsPatched = true;
  const cjs = Module as unknown as { _resolveFilename: ResolveFilename };
  const original = cjs._resolveFilename;
  const hostSdkPath = fileURLToPath(hostSdkUrl);
  cjs._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
    return sdkSpecifiers.has(request) ? hostSdkPath : original.call(this, request, ...rest);
  };
}

/** True for the error an import of `gilbert-ts/sdk` gives where gilbert-ts is not installed. */
export function isMissingSdkError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'ERR_MODULE_NOT_FOUND' && typeof message === 'string' && message.includes("'gilbert-ts'");
}
