import { TargetGoneError } from './target-gone.js';

// Only errors marked user-safe reach chat; anything else is logged and replaced by a generic
// message with a reference the operator can find in the logs.
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

export function isUserSafe(err: unknown): err is Error {
  return err instanceof UserError || (err instanceof TargetGoneError && err.userSafe) || (err instanceof Error && err.name === 'RelayError');
}
