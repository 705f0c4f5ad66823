/** Base of the local stand-ins' typed errors; `cause` keeps the underlying failure. Messages never carry secrets. */
export class LocalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The viewer-request function source cannot be loaded as CloudFront would (size, imports, syntax). */
export class FunctionLoadError extends LocalError {}

/** Invalid local edge configuration. */
export class EdgeConfigError extends LocalError {}
