/**
 * Where a Go binary's modules were compiled from. Without `-trimpath` every
 * package records the absolute paths of its source files, and those paths
 * are part of the package's hash that plugin.Open compares: the same module
 * version under another module cache (another machine, a CI runner, a custom
 * GOPATH) is "a different version of package …" to Go. The paths sit in the
 * binary's file table as NUL-terminated strings, e.g.
 * `/home/runner/go/pkg/mod/github.com/go-gilbert/gilbert-sdk@v0.9.0/action.go`,
 * or `github.com/go-gilbert/gilbert-sdk@v0.9.0/action.go` with `-trimpath`.
 */

/** The module cache's spelling of a path or version: each upper-case letter becomes `!` and its lower case. */
export function escapeModulePath(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => `!${letter.toLowerCase()}`);
}

/** The module and version whose sources were compiled for `dep` (its replacement, when replaced by another module); undefined for a local folder. */
export function compiledModule(module: string, versionLine: string): { module: string; version: string } | undefined {
  const [version = '', replacement] = versionLine.split(' => ');
  if (!replacement) return { module, version };
  const [replacementPath = '', replacementVersion] = replacement.split(' ');
  // A folder (`./sdk`, `/abs/sdk`) is recorded with version `(devel)` or none: not a module anyone else can fetch.
  const folder = /^(\.{1,2}[\\/]|[\\/]|[A-Za-z]:)/.test(replacementPath) || !replacementVersion || replacementVersion === '(devel)';
  return folder ? undefined : { module: replacementPath, version: replacementVersion };
}

/** The first place `text` starts a path component (after `/` or at the start of a string) in `image`, or -1. */
function findComponent(image: Buffer, text: string): number {
  for (let at = image.indexOf(text); at >= 0; at = image.indexOf(text, at + 1)) {
    const before = at > 0 ? image[at - 1]! : 0;
    if (before === 0x2f || before === 0x5c || before < 0x20) return at;
  }
  return -1;
}

/** The folder of the string around `at`: back to the NUL (or other control byte) that starts it. */
function recordedPrefix(image: Buffer, at: number): string {
  let start = at;
  while (start > 0 && image[start - 1]! >= 0x20 && at - start < 4096) start--;
  return image.toString('utf8', start, at);
}

/**
 * Module path → the folder its sources were compiled from, for every
 * dependency whose files the binary names: `<module cache>/<module>@<version>`,
 * `<module>@<version>` with -trimpath, `<main module>/vendor/<module>` when
 * vendored. A module whose files the linker dropped gets the module cache
 * the others were found in. Modules replaced by local folders are left out.
 */
export function moduleSourceDirectories(image: Buffer, deps: Map<string, string>): Map<string, string> {
  const found = new Map<string, string>();
  const caches = new Set<string>();
  const missing: [string, string][] = [];
  for (const [module, versionLine] of deps) {
    const compiled = compiledModule(module, versionLine);
    if (!compiled) continue;
    const folder = `${escapeModulePath(compiled.module)}@${escapeModulePath(compiled.version)}`;
    const at = findComponent(image, `${folder}/`);
    if (at >= 0) {
      const cache = recordedPrefix(image, at);
      caches.add(cache);
      found.set(module, cache + folder);
      continue;
    }
    const vendored = findComponent(image, `vendor/${compiled.module}/`);
    if (vendored >= 0) found.set(module, `${recordedPrefix(image, vendored)}vendor/${compiled.module}`);
    else missing.push([module, folder]);
  }
  if (caches.size === 1) {
    const [cache] = caches;
    for (const [module, folder] of missing) found.set(module, cache + folder);
  }
  return found;
}
