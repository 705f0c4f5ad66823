/** Bad pre-warming options, plans or traces; `cause` keeps the underlying failure. */
export class PrewarmError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PrewarmError';
  }
}
