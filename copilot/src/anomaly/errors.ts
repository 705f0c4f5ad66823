/** Raised for unusable anomaly-detection input or configuration; `cause` keeps the underlying error. */
export class AnomalyError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AnomalyError';
  }
}
