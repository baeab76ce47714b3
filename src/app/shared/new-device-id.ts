// A fresh device id for the first-party security cookie `creneau_device` (http/web/device-cookie.ts):
// random, meaningless, stored only as a keyed digest with a filing or a booking (app/fraud/filing-signals.ts).
import type { SecretGenerator } from '../../ports/secrets.ts';

export const newDeviceId = (ctx: { secrets: SecretGenerator }): string => ctx.secrets.managementToken();
