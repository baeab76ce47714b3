// The convocations' use cases: the applicant's convocation (opened by the management token,
// signed), and an agent's check of one (scanned or typed) — each bound to what it reads.
import type { ConvocationSigner } from '../../ports/convocation-signer.ts';
import type { AppContext } from '../shared/context.ts';
import { bindUseCases } from '../shared/use-cases.ts';
import { convocationOfManagementToken } from './issue-convocation.ts';
import { type ConvocationContext, verifyConvocation } from './verify-convocation.ts';

type IssueContext = AppContext & { signer: ConvocationSigner };

export const convocationUseCases = (ports: { booking: AppContext; convocations: ConvocationContext }) => ({
  ...bindUseCases(
    { ...ports.booking, signer: ports.convocations.signer },
    {
      convocationOfManagementToken: (ctx: IssueContext, managementToken: string) =>
        convocationOfManagementToken(ctx, ctx.signer, managementToken),
    },
  ),
  ...bindUseCases(ports.convocations, { verifyConvocation }),
});

export type ConvocationUseCases = ReturnType<typeof convocationUseCases>;
