/**
 * The one place that hides credentials carried by URLs. Everything gilbert
 * prints goes through it: the console logger, error reports, `ls --json`,
 * and the plugin messages built before either (tests/cli redaction covers
 * each output path). Plugin URLs carry tokens (`github://…?token=`) and
 * passwords (`http://user:pass@host/x.so`); a message quoting one must not
 * put the secret in a CI log.
 *
 * Hidden: the userinfo of `scheme://user:pass@host` (shown as `***@`), and
 * the value of any query parameter whose name, percent-decoded, looks like a
 * credential (`token=`, `tok%65n=`, `access_token=`, `X-Amz-Signature=`,
 * `password=`, `api_key=`, …). Text that is not URL-shaped
 * (`password=x` without a `?` or `&` before it) is left alone.
 */

/** Query parameter names (decoded, lowercased) whose values are secrets. */
const secretName = /token|secret|passw|pwd|auth|key|sig|credential|session|cookie/;

/** `scheme://userinfo@`; userinfo stops where a host part could not continue it. In `npm://name@1.2.3` the `@` starts a version. */
const userinfo = /\b(?!npm:)([a-z][a-z0-9+.-]*:\/\/)[^/?#\s'"<>@]+@/gi;

/** `?name=value`, `&name=value`, `;name=value` (`&amp;` in HTML-escaped text). */
const queryParameter = /([?&;])([^=&#?;\s'"<>]+)=([^&#;\s'"<>]*)/g;

/** Percent-decoding until stable (bounded), so `tok%2565n` is seen as `token` too. */
function decodedName(name: string): string {
  if (!name.includes('%') && !name.includes('+')) return name.toLowerCase();
  let current = name.replace(/\+/g, ' ');
  for (let round = 0; round < 3; round++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      // a stray % (e.g. `tok%6`): decode what can be decoded
      next = current.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    }
    if (next === current) break;
    current = next;
  }
  return current.toLowerCase();
}

export function redactUrls(text: string): string {
  // Most lines (a job's output goes through here too) can hold neither form: each expression runs only where it could match.
  let shown = text;
  if (shown.includes('@') && shown.includes('://')) shown = shown.replace(userinfo, '$1***@');
  if (shown.includes('=') && (shown.includes('?') || shown.includes('&') || shown.includes(';'))) {
    shown = shown.replace(queryParameter, (whole, separator: string, name: string, value: string) =>
      value && secretName.test(decodedName(name)) ? `${separator}${name}=***` : whole,
    );
  }
  return shown;
}
