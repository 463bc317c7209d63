/**
 * Lexer for the Go text/template subset of the manifest template pass.
 *
 * Mirrors Go's text/template/parse lexer closely enough that manifests get the
 * same text out and comparable error messages: `{{{`/`}}}` delimiters, trim
 * markers (`{{{- ` and ` -}}}`, the space is required), `{{{/* *\/}}}`
 * comments, and the usual action tokens.
 */
import { TemplateError } from './errors.js';

export type TokenKind =
  | 'text'
  | 'open' // left delimiter
  | 'close' // right delimiter
  | 'identifier' // function name or keyword
  | 'field' // .Name (one segment)
  | 'dot'
  | 'variable' // $ or $name
  | 'declare' // :=
  | 'assign' // =
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'comma'
  | 'string'
  | 'number'
  | 'char'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** raw source text (for text tokens: the text after trimming) */
  text: string;
  /** decoded value of string, char and number tokens */
  value?: string | number;
  line: number;
  column: number;
}

const LEFT = '{{{';
const RIGHT = '}}}';

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlphaNumeric = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{Nd}_]/u.test(c);

export function tokenize(input: string, name: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  let lineStart = 0;

  const fail = (message: string, atLine = line): never => {
    throw new TemplateError(`template: ${name}:${atLine}: ${message}`, atLine);
  };
  // Counts the newlines between pos and `to`, moving pos there.
  const advance = (to: number): void => {
    for (let i = pos; i < to; i++) {
      if (input.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    pos = to;
  };
  const push = (kind: TokenKind, text: string, value?: string | number): void => {
    tokens.push({ kind, text, value, line, column: pos - lineStart });
  };
  const atRightDelimiter = (): { trim: boolean; length: number } | undefined => {
    if (input.startsWith(RIGHT, pos)) return { trim: false, length: RIGHT.length };
    if (isSpace(input[pos]) && input[pos + 1] === '-' && input.startsWith(RIGHT, pos + 2)) {
      return { trim: true, length: RIGHT.length + 2 };
    }
    return undefined;
  };

  let trimNextText = false;
  while (pos <= input.length) {
    const open = input.indexOf(LEFT, pos);
    const textEnd = open < 0 ? input.length : open;
    let text = input.slice(pos, textEnd);
    if (trimNextText) {
      const trimmed = text.replace(/^[ \t\r\n]+/, '');
      advance(pos + text.length - trimmed.length);
      text = trimmed;
    }
    const trimLeft = open >= 0 && input[open + LEFT.length] === '-' && isSpace(input[open + LEFT.length + 1]);
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '');
    // the token's line is where its first kept character is: the output line map relies on it
    if (text !== '') push('text', text);
    advance(textEnd);
    if (open < 0) break;

    const actionLine = line;
    push('open', LEFT);
    advance(pos + LEFT.length + (trimLeft ? 1 : 0));

    if (input.startsWith('/*', trimLeft ? pos + 1 : pos)) {
      const commentStart = trimLeft ? pos + 1 : pos;
      const commentEnd = input.indexOf('*/', commentStart + 2);
      if (commentEnd < 0) fail('unclosed comment', actionLine);
      advance(commentEnd + 2);
      const right = atRightDelimiter();
      if (!right) fail('comment ends before closing delimiter');
      tokens.pop(); // a comment produces no action
      trimNextText = right!.trim;
      advance(pos + right!.length);
      continue;
    }
    trimNextText = lexAction(actionLine);
  }
  push('eof', '');
  return tokens;

  /** Lexes one action up to and including its right delimiter; returns whether it trims. */
  function lexAction(actionLine: number): boolean {
    let parenDepth = 0;
    for (;;) {
      const right = atRightDelimiter();
      if (right) {
        if (parenDepth > 0) fail('unclosed left paren');
        push('close', RIGHT);
        advance(pos + right.length);
        return right.trim;
      }
      // reported where the action opens, which is where the user has to look
      if (pos >= input.length) fail('unexpected unclosed action in command', actionLine);
      const c = input[pos]!;
      if (isSpace(c)) {
        advance(pos + 1);
        continue;
      }
      if (c === '|') push('pipe', c), advance(pos + 1);
      else if (c === '(') parenDepth++, push('lparen', c), advance(pos + 1);
      else if (c === ')') {
        if (--parenDepth < 0) fail(`unexpected right paren`);
        push('rparen', c), advance(pos + 1);
      } else if (c === ',') push('comma', c), advance(pos + 1);
      else if (c === ':') {
        if (input[pos + 1] !== '=') fail('expected :=');
        push('declare', ':='), advance(pos + 2);
      } else if (c === '=') push('assign', c), advance(pos + 1);
      else if (c === '"') lexQuoted();
      else if (c === '`') lexRaw();
      else if (c === "'") lexChar();
      else if (c === '$') lexWord('variable', pos + 1);
      else if (c === '.') {
        if (/[0-9]/.test(input[pos + 1] ?? '')) lexNumber();
        else if (isAlphaNumeric(input[pos + 1])) lexWord('field', pos + 1);
        else push('dot', c), advance(pos + 1);
      } else if (c === '+' || c === '-' || /[0-9]/.test(c)) lexNumber();
      else if (isAlphaNumeric(c)) lexWord('identifier', pos);
      else fail(`unexpected ${JSON.stringify(c)} in command`);
    }
  }

  function lexWord(kind: TokenKind, from: number): void {
    let end = from;
    while (isAlphaNumeric(input[end])) end++;
    push(kind, input.slice(pos, end));
    advance(end);
  }

  function lexQuoted(): void {
    let end = pos + 1;
    for (;;) {
      const c = input[end];
      if (c === undefined || c === '\n') fail('unterminated quoted string');
      if (c === '\\') end += 2;
      else if (c === '"') break;
      else end++;
    }
    const raw = input.slice(pos, end + 1);
    push('string', raw, unquote(raw, fail));
    advance(end + 1);
  }

  function lexRaw(): void {
    const end = input.indexOf('`', pos + 1);
    if (end < 0) fail('unterminated raw quoted string');
    const raw = input.slice(pos, end + 1);
    push('string', raw, raw.slice(1, -1).replace(/\r/g, ''));
    advance(end + 1);
  }

  function lexChar(): void {
    const match = /^'(\\.[^']*|[^'\\\n])'/u.exec(input.slice(pos, pos + 16));
    if (!match) fail('unterminated character constant');
    const decoded = unquote(`"${match![1]!.replace(/"/g, '\\"')}"`, fail);
    push('char', match![0], decoded.codePointAt(0));
    advance(pos + match![0].length);
  }

  function lexNumber(): void {
    const match = /^[+-]?(0[xX][0-9a-fA-F_]*\.?[0-9a-fA-F_]*([pP][+-]?[0-9_]+)?|0[bB][01_]+|0[oO][0-7_]+|[0-9_]*\.?[0-9_]*([eE][+-]?[0-9_]+)?)/.exec(
      input.slice(pos),
    )!;
    const raw = match[0];
    if (isAlphaNumeric(input[pos + raw.length]) || input[pos + raw.length] === '.') {
      fail(`bad number syntax: "${input.slice(pos, pos + raw.length + 1)}"`);
    }
    const value = parseGoNumber(raw);
    if (value === undefined) fail(`bad number syntax: "${raw}"`);
    push('number', raw, value);
    advance(pos + raw.length);
  }
}

/** Parses a Go numeric literal (ints in any base, floats); undefined when malformed. */
function parseGoNumber(raw: string): number | undefined {
  if (raw === '' || raw === '+' || raw === '-' || /__|_$|^[+-]?_/.test(raw)) return undefined;
  const sign = raw.startsWith('-') ? -1 : 1;
  const body = raw.replace(/^[+-]/, '').replace(/_/g, '');
  let value: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(body)) value = parseInt(body.slice(2), 16);
  else if (/^0[bB][01]+$/.test(body)) value = parseInt(body.slice(2), 2);
  else if (/^0[oO][0-7]+$/.test(body)) value = parseInt(body.slice(2), 8);
  else if (/^0[0-7]+$/.test(body)) value = parseInt(body, 8);
  else if (/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(body)) value = Number(body);
  else return undefined;
  return sign * value;
}

/** Decodes a Go double-quoted string literal. */
function unquote(raw: string, fail: (message: string) => never): string {
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };
  return raw.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_, esc: string) => {
    if (/^[xuU]/.test(esc)) return String.fromCodePoint(parseInt(esc.slice(1), 16));
    if (/^[0-7]{3}$/.test(esc)) return String.fromCodePoint(parseInt(esc, 8));
    const decoded = escapes[esc];
    if (decoded === undefined) fail(`invalid syntax: unknown escape sequence \\${esc} in ${raw}`);
    return decoded!;
  });
}
