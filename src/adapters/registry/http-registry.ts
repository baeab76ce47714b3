// The AGDREF registry behind an HTTP gateway (REGISTRY_URL). It fails closed: anything but a
// well-formed record (200) or a clear "no such number" (404) — a 5xx, a redirect, a timeout,
// a refused connection, a body that is not the expected JSON — is RegistryUnavailable, which
// booking turns into REGISTRY_UNAVAILABLE ("try again later"), never into a booking.
//   GET {baseUrl}/residents/{10 digits}  →  200 { agdrefNumber, surname, givenNames, birthDate,
//                                              nationality, permitType, permitExpiresOn }
//                                        →  404 (unknown number)
import { z } from 'zod';
import { isCalendarDate } from '../../domain/calendar-date.ts';
import { type Registry, type RegistryRecord, RegistryUnavailable } from '../../ports/registry.ts';

export interface HttpRegistryOptions {
  baseUrl: string;
  /** The whole exchange (connection, headers and body) must fit in this budget. */
  timeoutMs: number;
}

const isoDate = z.string().refine(isCalendarDate, 'a calendar date YYYY-MM-DD');

const RegistryRecordSchema = z.object({
  agdrefNumber: z.string().regex(/^\d{10}$/),
  surname: z.string().min(1).max(200),
  givenNames: z.string().max(200),
  birthDate: isoDate,
  nationality: z.string().regex(/^[A-Z]{3}$/),
  permitType: z.string().min(1).max(200),
  permitExpiresOn: isoDate,
});

/** The body read is capped too: a gateway answering megabytes is not answering. */
const MAX_BODY_BYTES = 64 * 1024;

export function createHttpRegistry(options: HttpRegistryOptions): Registry {
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    async lookup(agdrefNumber: string): Promise<RegistryRecord | null> {
      if (!/^\d{10}$/.test(agdrefNumber)) throw new RangeError('lookup expects a normalised 10-digit AGDREF number');
      const url = `${base}/residents/${agdrefNumber}`;
      let response: Response;
      let body: string;
      try {
        response = await fetch(url, {
          headers: { accept: 'application/json' },
          redirect: 'error',
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        if (response.status === 404) {
          await response.body?.cancel();
          return null;
        }
        if (response.status !== 200) {
          await response.body?.cancel();
          throw new RegistryUnavailable(`registry answered HTTP ${response.status}`);
        }
        const declaredLength = Number(response.headers.get('content-length') ?? 0);
        if (declaredLength > MAX_BODY_BYTES) {
          await response.body?.cancel();
          throw new RegistryUnavailable('registry answer too large');
        }
        body = await response.text();
      } catch (e) {
        if (e instanceof RegistryUnavailable) throw e;
        const name = e instanceof Error ? e.name : '';
        throw new RegistryUnavailable(
          name === 'TimeoutError'
            ? `registry did not answer within ${options.timeoutMs} ms`
            : `registry unreachable: ${describe(e)}`,
        );
      }
      if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new RegistryUnavailable('registry answer too large');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        throw new RegistryUnavailable('registry answered something that is not JSON');
      }
      const parsed = RegistryRecordSchema.safeParse(json);
      if (!parsed.success) throw new RegistryUnavailable('registry answer does not have the expected shape');
      if (parsed.data.agdrefNumber !== agdrefNumber)
        throw new RegistryUnavailable('registry answered for another number');
      return parsed.data;
    },
  };
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  const code = cause && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : null;
  return code ? `${e.message} (${code})` : e.message;
}
