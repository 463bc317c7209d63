/**
 * The bridge suite again, over the Go host process (src/bridge/process.ts)
 * instead of the in-process shim: the same tests, the same assertions. Each
 * file's tests are registered by importing it, once the transport is chosen.
 */
process.env.GILBERT_TEST_TRANSPORT = 'process';
for (const file of ['callbacks', 'cancel', 'example', 'faults', 'logging', 'panics', 'params']) {
  await import(`./${file}.test.js`);
}
