import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consoleSink, formatMessage, shouldUseColor } from '../../src/log/console.js';
import { LineWriter } from '../../src/log/line-writer.js';
import { SinkLogger, recordingLogger } from '../../src/log/logger.js';

function capture(options: { verbose?: boolean; color?: boolean } = {}) {
  let text = '';
  const logger = new SinkLogger(consoleSink({ ...options, out: { write: (chunk: string) => ((text += chunk), true) } }));
  return { logger, text: () => text };
}

describe('console logger', () => {
  it('pads two spaces per sub-logger level, line by line, dropping empty lines', () => {
    const { logger, text } = capture();
    logger.log('root');
    logger.subLogger().subLogger().log('first\n\nsecond\r\n');
    assert.equal(text(), 'root\n    first\n    second\n');
    assert.deepEqual(formatMessage(1, 'a\n\nb'), ['  a', '  b']);
  });

  it('colours by level like fatih/color, plain log uncoloured', () => {
    const { logger, text } = capture({ color: true, verbose: true });
    logger.info('i');
    logger.success('s');
    logger.warn('w');
    logger.error('e');
    logger.debug('d');
    logger.log('l');
    assert.equal(text(), '\x1b[34mi\x1b[0m\n\x1b[32ms\x1b[0m\n\x1b[33mw\x1b[0m\n\x1b[31me\x1b[0m\n\x1b[36md\x1b[0m\nl\n');
  });

  it('shows debug lines only when verbose', () => {
    const quiet = capture();
    quiet.logger.debug('hidden');
    assert.equal(quiet.text(), '');
    const verbose = capture({ verbose: true });
    verbose.logger.debug('shown');
    assert.equal(verbose.text(), 'shown\n');
  });

  it('decides colour from the terminal, --no-color, NO_COLOR and FORCE_COLOR', () => {
    assert.equal(shouldUseColor({ isTTY: true }, false, {}), true);
    assert.equal(shouldUseColor({ isTTY: false }, false, {}), false);
    assert.equal(shouldUseColor({ isTTY: true }, true, {}), false);
    assert.equal(shouldUseColor({ isTTY: true }, false, { NO_COLOR: '1' }), false);
    assert.equal(shouldUseColor({ isTTY: true }, false, { NO_COLOR: '' }), true);
    assert.equal(shouldUseColor({ isTTY: false }, false, { FORCE_COLOR: '1' }), true);
    assert.equal(shouldUseColor({ isTTY: true }, false, { TERM: 'dumb' }), false);
  });
});

describe('line writer', () => {
  it('holds partial lines across chunks and flushes the last on end', () => {
    const { logger, records } = recordingLogger();
    const writer = new LineWriter(logger.subLogger(), 'error');
    writer.write('par');
    writer.write(Buffer.from('tial\nnext\r\n\n'));
    writer.write('tail');
    assert.deepEqual(records.map((r) => r.message), ['partial', 'next']);
    writer.end();
    assert.deepEqual(records.map((r) => [r.level, r.depth, r.message]), [
      ['error', 1, 'partial'],
      ['error', 1, 'next'],
      ['error', 1, 'tail'],
    ]);
  });

  it('does not split a multi-byte character cut between chunks', () => {
    const { logger, records } = recordingLogger();
    const writer = new LineWriter(logger);
    const bytes = Buffer.from('héllo\n');
    writer.write(bytes.subarray(0, 2));
    writer.write(bytes.subarray(2));
    assert.deepEqual(records.map((r) => r.message), ['héllo']);
  });
});
