import assert from 'node:assert/strict';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readGoBuildInfo } from '../../src/plugins/abi/buildinfo.js';
import { defaultShimPath } from '../../src/plugins/abi/shim.js';
import { binaryLayout, fileTableRange, readerOf } from '../../src/plugins/abi/sections.js';
import { moduleSourceDirectories } from '../../src/plugins/abi/sourcedirs.js';

const built = path.resolve(import.meta.dirname, '../fixtures/go-plugins/build');

// Built by `make fixtures` / `make shim`: Go plugins with and without -trimpath, and the c-shared shim.
const binaries = [path.join(built, 'bridgetest.so'), path.join(built, 'trimpath.so'), path.join(built, 'oldsdk.so'), defaultShimPath({})];

describe('reading build info through section headers', () => {
  for (const file of binaries) {
    it(`${path.basename(file)}: reads a small file table, yet finds every module folder a scan of the whole file finds`, async () => {
      const info = (await readGoBuildInfo(file))!;
      assert.ok(info.sourceDirectories?.has('github.com/go-gilbert/gilbert-sdk'), 'the sdk folder is found');
      // the whole-file scan is what readGoBuildInfo did before reading sections only: the oracle
      assert.deepEqual(info.sourceDirectories, moduleSourceDirectories(await readFile(file), info.deps));

      const handle = await open(file, 'r');
      try {
        const read = readerOf(handle);
        const { size } = await handle.stat();
        const layout = (await binaryLayout(read, size))!;
        assert.ok(layout.buildInfo && layout.buildInfo.size < 64 * 1024, 'the build-info section is located');
        const pclntab = layout.pclntab ?? layout.relro;
        assert.ok(pclntab, 'the pclntab (or the section holding it) is located');
        if (layout.pclntab) {
          const table = await fileTableRange(read, layout.pclntab);
          assert.ok(table.size < size / 50, `the file table (${table.size} bytes) is a small part of the ${size}-byte file`);
        }
      } finally {
        await handle.close();
      }
    });
  }

  it('a file that is no Go binary has no build info', async () => {
    assert.equal(await readGoBuildInfo(path.join(built, 'notplugin.so')), undefined);
    assert.equal(await readGoBuildInfo(import.meta.filename), undefined);
  });
});
