/**
 * A template parse or execution error. Its message already follows Go's
 * format (`template: <name>:<line>: …`); the loader wraps it in a ManifestError.
 */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly line: number,
    /** what gilbert-ts adds to Go's message, shown after it */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}
