// The way back in by reference, birth date and email code, bound to its ports.
import { bindUseCases } from '../shared/use-cases.ts';
import type { AccessContext } from './access-context.ts';
import { openWithAccessCode } from './open-with-access-code.ts';
import { sendAccessCode } from './send-access-code.ts';

export const accessUseCases = (ctx: AccessContext) => bindUseCases(ctx, { sendAccessCode, openWithAccessCode });

export type AccessUseCases = ReturnType<typeof accessUseCases>;
