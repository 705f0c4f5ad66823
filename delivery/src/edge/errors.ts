/** Base of the edge's typed errors; `cause` keeps the underlying failure. Messages never carry secrets. */
export class EdgeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A KeyValueStore write or read was refused (limits, conflicts, unreachable store). */
export class KeyValueStoreError extends EdgeError {}
