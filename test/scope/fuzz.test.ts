import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpressionError, createScope } from '../../src/scope/index.js';

/**
 * Bounded fuzzing of the expression evaluator: random and mutated inputs
 * must expand or fail with an ExpressionError, never throw anything else
 * and never hang. `{% %}` is excluded from random inputs (it would run
 * random shell commands); variables may refer to each other, loops included.
 */
const pieces = ['{{', '}}', '{%', '%}', '{', '}', '%', ' ', 'a', 'b', 'c', '_', '1', '\n', 'é', '{{ a }}', '{{b}}', '{{ c }}', '{{ }}', '{{ d }}'];

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function randomText(random: () => number, maxPieces: number): string {
  const count = Math.floor(random() * maxPieces);
  let text = '';
  for (let i = 0; i < count; i++) text += pieces[Math.floor(random() * pieces.length)];
  return text.replace(/\{%[^]*?%\}/g, '');
}

describe('expression evaluator fuzz', () => {
  it('expands or fails cleanly on 3000 random inputs with self-referencing variables', async () => {
    const random = seeded(20260601);
    for (let round = 0; round < 3000; round++) {
      const locals = { a: randomText(random, 5), b: randomText(random, 5), c: 'plain' };
      const scope = createScope({ projectDirectory: '/tmp', locals, env: {} });
      const input = randomText(random, 12);
      try {
        const out = await scope.expand(input);
        assert.equal(typeof out, 'string');
        if (!/[{%]/.test(input)) assert.equal(out, input, 'text without braces is left alone');
      } catch (error) {
        assert.ok(error instanceof ExpressionError, `${JSON.stringify(input)} with ${JSON.stringify(locals)} threw ${String(error)}`);
        assert.match(error.message, /^failed to parse string '/);
      }
    }
  });
});
