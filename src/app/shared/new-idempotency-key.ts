// A fresh Idempotency-Key for a page's form: the retries of one submission share it, so a
// double click or a refresh books or files once.
import type { SecretGenerator } from '../../ports/secrets.ts';

export const newIdempotencyKey = (ctx: { secrets: SecretGenerator }): string => ctx.secrets.uuid();
