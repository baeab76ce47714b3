// The text messages' use cases: what the gateway forwards (STOP, START).
import { bindUseCases } from '../shared/use-cases.ts';
import { type InboundSmsContext, recordInboundSms } from './record-inbound-sms.ts';

export const smsUseCases = (ctx: InboundSmsContext) => bindUseCases(ctx, { recordInboundSms });

export type SmsUseCases = ReturnType<typeof smsUseCases>;
