// Errors the store raises on purpose. `message` is one line that is safe to show an operator
// (a database URL's password is never in it).
export type StoreErrorCode = 'STORE_BAD_URL' | 'STORE_UNAVAILABLE' | 'STORE_MIGRATION_FAILED' | 'STORE_INVALID_TRANSITION' | 'STORE_CORRUPT_ROW';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}
