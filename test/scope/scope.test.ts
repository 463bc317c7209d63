import assert from 'node:assert/strict';
import { mkdtemp, rm, realpath } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExpressionError, createScope } from '../../src/scope/index.js';

let project: string;
before(async () => {
  project = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gilbert-scope-')));
});
after(async () => {
  await rm(project, { recursive: true, force: true });
});

function scope(locals: Record<string, string> = {}, globals: Record<string, string> = {}) {
  return createScope({ projectDirectory: project, locals, env: { PATH: process.env.PATH, GOPATH: '/go' } }).appendGlobals(globals);
}

describe('scope variables', () => {
  it('has the globals PROJECT, BUILD and GOPATH', async () => {
    const s = scope();
    assert.equal(await s.expand('{{PROJECT}}|{{ BUILD }}|{{  GOPATH  }}'), `${project}|${project}/build|/go`);
  });

  it('looks locals up before globals and reports where a value came from', () => {
    const s = scope({ name: 'local' }, { name: 'global', other: 'g' });
    assert.deepEqual(s.variable('name'), { isLocal: true, value: 'local' });
    assert.deepEqual(s.variable('other'), { isLocal: false, value: 'g' });
    assert.equal(s.variable('missing'), undefined);
    assert.equal(s.global('name'), 'global');
  });

  it('appendVariables overwrites, as --var over job vars', async () => {
    const s = scope({ v: 'job' }).appendVariables({ v: 'cli' });
    assert.equal(await s.expand('{{ v }}'), 'cli');
    assert.deepEqual(s.vars(), { v: 'cli' });
  });

  it('expands nested values recursively', async () => {
    const s = scope({ a: '{{ b }}-x', b: '{{ c }}' }, { c: 'deep' });
    assert.equal(await s.expand('[{{ a }}]'), '[deep-x]');
  });

  it('names an undefined variable in Gilbert words', async () => {
    await assert.rejects(scope().expand('hello {{ nobody }}'), (error: Error) => {
      assert.ok(error instanceof ExpressionError);
      assert.equal(error.message, "failed to parse string 'hello {{ nobody }}', variable 'nobody' is undefined (at '{{ nobody }}')");
      return true;
    });
  });

  it('stops a variable that refers to itself, naming the chain', async () => {
    const s = scope({ a: '{{ b }}', b: 'x{{ a }}' });
    await assert.rejects(s.expand('{{ a }}'), /variable 'a' refers to itself \(a -> b -> a\)/);
  });

  it('leaves text without expressions and empty braces alone', async () => {
    const s = scope();
    assert.equal(await s.expand('plain {{}} text {%%} 100%'), 'plain {{}} text {%%} 100%');
    await assert.rejects(s.expand('{{   }}'), /expression cannot be empty/);
  });

  it('expandAll expands each string in order', async () => {
    assert.deepEqual(await scope({ x: '1' }).expandAll(['{{x}}', 'a{{ x }}b']), ['1', 'a1b']);
  });
});

describe('scope shell expressions', () => {
  it('runs {% %} in the project directory with env + scope vars and trims the output', async () => {
    const s = scope({ LOCAL_ONE: 'L' }, { GLOBAL_ONE: 'G' });
    assert.equal(await s.expand('{% pwd %}'), project);
    assert.equal(await s.expand('<{% echo "$LOCAL_ONE$GLOBAL_ONE$PROJECT" %}>'), `<LG${project}>`);
  });

  it('runs two commands on one line separately', async () => {
    assert.equal(await scope().expand('{% echo a %}-{% echo b %}'), 'a-b');
  });

  it('combines stdout and stderr', async () => {
    assert.equal(await scope().expand('{% echo out; echo err 1>&2 %}'), 'out\nerr');
  });

  it('reports a failing command with its exit status and output', async () => {
    await assert.rejects(scope().expand('v={% echo broken; exit 3 %}'), (error: Error) => {
      assert.equal(
        error.message,
        "failed to parse string 'v={% echo broken; exit 3 %}', failed to eval inline script: process finished with non-zero status code: 3 (broken\n) (at '{% echo broken; exit 3 %}')",
      );
      return true;
    });
  });

  it('expands commands held in variables', async () => {
    assert.equal(await scope({ who: '{% echo gilbert %}' }).expand('hi {{ who }}'), 'hi gilbert');
  });

  it('environ lists OS env, globals and locals as NAME=value', () => {
    const env = scope({ L: '1' }, { G: '2' }).environ();
    assert.ok(env.includes('L=1'));
    assert.ok(env.includes('G=2'));
    assert.ok(env.includes(`PROJECT=${project}`));
    assert.ok(env.some((e) => e.startsWith('PATH=')));
  });
});
