/** Bad usage: exit status 2, with the message and a hint. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
