// A standard HTTP SMS gateway: POST {to, text} as JSON to SMS_GATEWAY_URL with the key as a
// bearer token. A 2xx is sent; a 4xx is refused for good (a bad number, a bad key: retrying
// would change nothing, the message is given up); a 5xx, a timeout or a network error throws,
// and the outbox retries later with its backoff.
import type { SmsSender } from '../../ports/sms.ts';

export interface HttpSmsGatewayOptions {
  url: string;
  key: string;
  timeoutMs?: number;
}

export function createHttpSmsGateway({ url, key, timeoutMs = 10_000 }: HttpSmsGatewayOptions): SmsSender {
  return {
    async send(message) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${key}`,
          ...(message.id ? { 'idempotency-key': message.id } : {}),
        },
        body: JSON.stringify({ to: message.to, text: message.text }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = (await response.text()).slice(0, 200);
      if (response.ok) return { status: 'sent' };
      if (response.status >= 400 && response.status < 500)
        return { status: 'rejected', reason: `HTTP ${response.status}: ${body}` };
      throw new Error(`SMS gateway answered HTTP ${response.status}: ${body}`);
    },
  };
}
