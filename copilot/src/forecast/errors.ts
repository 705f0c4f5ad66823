/** Bad forecaster options or a series it cannot use; `cause` keeps the underlying failure. */
export class ForecastError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ForecastError';
  }
}
