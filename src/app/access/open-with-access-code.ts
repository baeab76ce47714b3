// Step 2 of the way back in: the code sent to the address on file opens the appointment or
// request of the reference on this device. It gets a new management token (the person's
// cookie); the old emailed link stops working, and the new one is emailed (outbox, in this
// transaction), so the person has a link again. Every failure — unknown reference, holder
// without email, wrong, expired or spent code — is the same EMAIL_CODE_INVALID.
import { DomainError } from '../../domain/errors.ts';
import type { AccessHolder } from '../../ports/access-store.ts';
import { checkEmailCode, consumeEmailCode } from '../applicants/email-verification.ts';
import type { RequestOrigin } from '../shared/context.ts';
import type { AccessContext } from './access-context.ts';

export interface OpenWithAccessCodeInput {
  /** Normalised (domain/booking-reference.ts normaliseReference). */
  reference: string;
  verificationId: string;
  code: string;
}

export interface OpenedAccess {
  kind: AccessHolder['kind'];
  /** The new management token: for the cookie, never for an address. */
  managementToken: string;
}

export async function openWithAccessCode(
  ctx: AccessContext,
  input: OpenWithAccessCodeInput,
  origin: RequestOrigin,
): Promise<OpenedAccess> {
  const holder = await ctx.access.findHolder(input.reference);
  const verified = await checkEmailCode(ctx, {
    verificationId: input.verificationId,
    // No holder (or none reachable): an address no code was sent to, refused like a wrong code.
    email: holder?.email ?? 'nobody@invalid',
    purpose: 'access',
    code: input.code,
    ip: origin.ip,
    route: origin.route,
  });
  if (!holder) throw new DomainError('EMAIL_CODE_INVALID');
  const managementToken = ctx.secrets.managementToken();
  const now = ctx.clock.now();
  await ctx.access.transaction(async (tx) => {
    if (!(await tx.replaceManagementToken(holder, ctx.hasher.tokenDigest(managementToken), now)))
      throw new DomainError('EMAIL_CODE_INVALID');
    await consumeEmailCode(tx, verified, now);
    await tx.enqueueMessages(
      [
        {
          kind: 'way-back-in',
          payload: {
            target: holder.kind,
            reference: holder.reference,
            givenNames: holder.givenNames,
            surname: holder.surname,
            managementToken,
          },
          recipient: verified.email,
          language: holder.language,
          dedupeKey: `way-back-in:${verified.verificationId}`,
          deliverAfter: now,
        },
      ],
      now,
    );
  });
  return { kind: holder.kind, managementToken };
}
