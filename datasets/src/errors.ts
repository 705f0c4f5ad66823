/** Bad simulator options or unusable reference data; `cause` keeps the underlying failure. */
export class DatasetError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DatasetError';
  }
}
