// The {{{ }}} template pass: Go text/template semantics for what manifests use.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TemplateError, renderTemplate } from '../../src/manifest/template/index.js';

const render = (text: string, options: { cwd?: string; env?: NodeJS.ProcessEnv; allowShell?: boolean } = {}): string =>
  renderTemplate(text, { name: 'gilbert.yaml', ...options }).text;

const outputs: [string, string, string][] = [
  ['text without actions is untouched', 'a: {{ b }} {% c %} }}} {{', 'a: {{ b }} {% c %} }}} {{'],
  ["Gilbert's own case: shell | split | yaml", '{{{ shell "echo foo,bar" | split "," | yaml }}}', '["foo","bar"]'],
  ["Gilbert's own case: slice | yaml", '{{{ slice "foo" "bar" | yaml }}}', '["foo","bar"]'],
  ['yaml escapes like encoding/json', '{{{ yaml "<a&b>" }}} {{{ yaml 1 }}} {{{ yaml true }}} {{{ yaml nil }}}', '"\\u003ca\\u0026b\\u003e" 1 true null'],
  ['split trims, then splits like strings.Split (empty fields kept)', '{{{ split " " "  a b  c " | len }}}', '4'],
  ['data is nil: fields print <no value>', '{{{ .Version }}}|{{{ . }}}|{{{ $ }}}', '<no value>|<no value>|<no value>'],
  ['comments and trim markers', 'a  \n{{{- /* gone */ -}}}\n  b{{{/* x */}}}c', 'abc'],
  ['trim markers need the space', '{{{-3}}} {{{ 2 -}}}   x', '-3 2x'],
  ['range with index and value', '{{{ range $i, $v := slice "a" "b" }}}{{{ $i }}}={{{ $v }}};{{{ end }}}', '0=a;1=b;'],
  ['range sets dot', '{{{ range slice 1 2 }}}[{{{ . }}}]{{{ end }}}', '[1][2]'],
  ['range else on empty', '{{{ range slice }}}x{{{ else }}}empty{{{ end }}}', 'empty'],
  ['range break and continue', '{{{ range slice 1 2 3 4 }}}{{{ if eq . 2 }}}{{{ continue }}}{{{ end }}}{{{ if eq . 4 }}}{{{ break }}}{{{ end }}}{{{ . }}}{{{ end }}}', '13'],
  ['if / else if / else', '{{{ $x := 3 }}}{{{ if gt $x 3 }}}big{{{ else if eq $x 3 }}}three{{{ else }}}small{{{ end }}}', 'three'],
  ['if on empty string is false', '{{{ if "" }}}yes{{{ else }}}no{{{ end }}}', 'no'],
  ['with binds dot', '{{{ with "v" }}}<{{{ . }}}>{{{ end }}}{{{ with "" }}}x{{{ else }}}none{{{ end }}}', '<v>none'],
  ['variables: declare, assign, scope', '{{{ $x := 1 }}}{{{ if true }}}{{{ $x = 2 }}}{{{ $y := 9 }}}{{{ end }}}{{{ $x }}}', '2'],
  ['parenthesised calls', '{{{ len (slice 1 2 (slice 3)) }}}', '3'],
  ['literals', '{{{ "a\\tb" }}}|{{{ `raw\\n` }}}|{{{ 0x10 }}}|{{{ 1.5 }}}|{{{ 1e3 }}}|{{{ true }}}|{{{ \'a\' }}}', 'a\tb|raw\\n|16|1.5|1000|true|97'],
  ['print adds spaces between non-strings', '{{{ print 1 2 "a" "b" 3 }}}', '1 2ab3'],
  ['printf verbs', '{{{ printf "%s-%d-%q-%v-%t-%5s|%-3d|%%" "a" 7 "q" (slice 1 "x") true "r" 4 }}}', 'a-7-"q"-[1 x]-true-    r|4  |%'],
  ['printf with too few arguments', '{{{ printf "%s %s" "a" }}}', 'a %!s(MISSING)'],
  ['index into lists', '{{{ index (slice "a" "b") 1 }}}', 'b'],
  ['comparisons', '{{{ eq 1 1 }}} {{{ eq "a" "b" "a" }}} {{{ ne 1 2 }}} {{{ lt 1 2 }}} {{{ le 2 2 }}} {{{ gt "b" "a" }}} {{{ ge 1 2 }}}', 'true true true true true true false'],
  ['and / or return an operand, not', '{{{ and 1 0 }}} {{{ and 1 2 }}} {{{ or 0 "" "z" }}} {{{ not 0 }}}', '0 2 z true'],
  ['and short-circuits: the shell never runs', '{{{ and false (shell "exit 1") }}}', 'false'],
  ['lists print like Go slices', '{{{ slice 1 "a" nil (slice) }}}', '[1 a <nil> []]'],
  ['actions that declare print nothing', 'x{{{ $a := 1 }}}y', 'xy'],
  ['a pipeline feeds the last argument', '{{{ "a,b" | split "," | len }}}', '2'],
];

for (const [name, input, expected] of outputs) {
  test(`template: ${name}`, () => {
    assert.equal(render(input), expected);
  });
}

const failures: [string, string, string, number][] = [
  ['unclosed action (Gilbert test case)', 'a\n{{{', 'template: gilbert.yaml:2: unexpected unclosed action in command', 2],
  ['unknown function', 'x\n\n{{{ env "HOME" }}}', 'template: gilbert.yaml:3: function "env" not defined', 3],
  ['undefined variable', '{{{ $x }}}', 'undefined variable "$x"', 1],
  ['variable used outside its block', '{{{ if true }}}{{{ $v := 1 }}}{{{ end }}}\n{{{ $v }}}', 'template: gilbert.yaml:2: undefined variable "$v"', 2],
  ['missing end', '{{{ range slice 1 }}}\nx\n', 'template: gilbert.yaml:3: unexpected EOF', 3],
  ['end without block', 'a\n{{{ end }}}', 'template: gilbert.yaml:2: unexpected {{{end}}}', 2],
  ['else at top level', '{{{ else }}}', 'unexpected {{{else}}}', 1],
  ['empty action', '{{{ }}}', 'missing value for command', 1],
  ['break outside range', '{{{ break }}}', '{{{break}}} outside {{{range}}}', 1],
  ['unterminated string', '{{{ "abc }}}', 'unterminated quoted string', 1],
  ['unclosed comment', '{{{/* abc', 'unclosed comment', 1],
  ['bad number', '{{{ 12abc }}}', 'bad number syntax', 1],
  ['unexpected character', '{{{ # }}}', 'unexpected "#" in command', 1],
  ['unclosed paren', '{{{ len (slice 1 }}}', 'unclosed left paren', 1],
  ['define is not supported', '{{{ define "x" }}}{{{ end }}}', 'not supported in manifests', 1],
  ['wrong argument type', '\n{{{ split "," 5 }}}', 'template: gilbert.yaml:2:4: executing "gilbert.yaml" at <split "," 5>: wrong type for value; expected string; got int', 2],
  ['wrong argument count', '{{{ yaml 1 2 }}}', 'wrong number of args for yaml: want 1 got 2', 1],
  ['incompatible comparison', '{{{ eq 1 "1" }}}', 'error calling eq: incompatible types for comparison', 1],
  ['index out of range', '{{{ index (slice 1) 5 }}}', 'error calling index: index out of range: 5', 1],
  ['argument to a non-function', '{{{ "a" "b" }}}', "can't give argument to non-function", 1],
  ['field of a string', '{{{ "a".B }}}', 'unexpected . after term', 1],
  ['range over a string', '{{{ range "abc" }}}{{{ end }}}', "range can't iterate over abc", 1],
];

for (const [name, input, fragment, line] of failures) {
  test(`template error: ${name}`, () => {
    assert.throws(
      () => render(input),
      (error: unknown) => {
        assert.ok(error instanceof TemplateError, String(error));
        assert.ok(error.message.includes(fragment), `${error.message}\n  should contain\n${fragment}`);
        assert.equal(error.line, line);
        if (name === 'missing end') assert.equal(error.hint, 'the {{{range}}} at line 1 has no {{{end}}}', 'our addition travels beside Go\'s message');
        return true;
      },
    );
  });
}

test('shell runs /bin/sh in the given folder with the given environment and returns combined output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gilbert-template-'));
  try {
    const output = render('{{{ shell "pwd; echo $GREETING; echo err >&2" }}}', { cwd: dir, env: { ...process.env, GREETING: 'hi' } });
    assert.equal(output, `${dir}\nhi\nerr\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failing shell command is an error with the command, status and output', () => {
  assert.throws(
    () => render('a\n{{{ shell "echo broken; exit 7" }}}'),
    (error: unknown) =>
      error instanceof TemplateError &&
      error.line === 2 &&
      error.message.includes('error calling shell: command "[/bin/sh -c echo broken; exit 7]" returned error (exit status 7)\n\nbroken'),
  );
});

test('shell can be disabled (the fuzz test relies on it)', () => {
  assert.throws(() => render('{{{ shell "touch /tmp/should-not-exist" }}}', { allowShell: false }), /the shell function is disabled/);
});

test('output lines map back to template lines', () => {
  const rendered = renderTemplate('a\n{{{- range slice 1 2 }}}\nitem {{{ . }}}\n{{{- end }}}\nlast\n', { name: 'm' });
  assert.equal(rendered.text, 'a\nitem 1\nitem 2\nlast\n');
  assert.deepEqual([1, 2, 3, 4].map(rendered.sourceLine), [1, 3, 3, 5]);
});
