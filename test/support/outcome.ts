// What a promise came to, in one word for assertions: 'ok', the DomainError's code, or
// 'db:<SQLSTATE>' for an error the database raised (its message when it has no code).
import { DomainError } from '../../src/domain/errors.ts';

export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return error instanceof DomainError
      ? error.code
      : `db:${(error as { code?: string }).code ?? (error as Error).message}`;
  }
}
