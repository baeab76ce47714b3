// Email one-time codes end to end: sent through a real SMTP server in this process, read
// from the parsed message as a person would, checked and consumed in the database.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { createHasher, cryptoSecrets } from '../../src/adapters/crypto-secrets.ts';
import type { Db } from '../../src/adapters/db/database.ts';
import {
  consumeEmailVerification,
  createEmailVerificationStore,
} from '../../src/adapters/db/email-verification-store.ts';
import { createIdempotentResponseStore } from '../../src/adapters/db/idempotent-response-store.ts';
import { createMemoryAttemptLimiter } from '../../src/adapters/limits/memory-attempt-limiter.ts';
import { createSmtpMailer } from '../../src/adapters/mail/smtp-mailer.ts';
import { createAltchaProofOfWork } from '../../src/adapters/pow/altcha-proof-of-work.ts';
import { createDbReplayStore } from '../../src/adapters/pow/db-replay-store.ts';
import { type ApplicantPorts, applicantUseCases } from '../../src/app/applicants/applicant-use-cases.ts';
import {
  type CheckEmailCodeInput,
  checkEmailCode,
  consumeEmailCode,
  type EmailCodeDeps,
  type EmailCodePolicy,
  type VerifiedEmailCode,
} from '../../src/app/applicants/email-verification.ts';
import { type SendEmailCodeInput, sendEmailCode } from '../../src/app/applicants/send-email-code.ts';
import { DomainError, ERROR_CATALOGUE } from '../../src/domain/errors.ts';
import { createDifficultyPolicy } from '../../src/domain/pow-difficulty.ts';
import { sendProblem, toProblem } from '../../src/http/problem.ts';
import { emailVerificationRoutes } from '../../src/http/routes/email-verifications.ts';
import { powRoutes } from '../../src/http/routes/pow.ts';
import type { AttemptLimiter } from '../../src/ports/attempt-limiter.ts';
import type { Clock } from '../../src/ports/clock.ts';
import type { Mailer } from '../../src/ports/mailer.ts';
import type { SecurityEvent, SecurityEventLog } from '../../src/ports/security-events.ts';
import { describeEachEngine } from '../support/databases.ts';
import { solvedPow, TEST_POW_DIFFICULTY } from '../support/http.ts';
import { TestClock } from '../support/scenario.ts';
import { codeFromMail, startTestSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const POLICY: EmailCodePolicy = { ttlMinutes: 10, maxAttempts: 5, sendsPerEmailPerHour: 5, sendsPerIpPerHour: 30 };
const ROUTE = '/api/test';

/** The real in-process limiter, on the test clock. */
function memoryLimiter(clock: Clock): AttemptLimiter {
  return createMemoryAttemptLimiter({ clock });
}

function eventLog(): SecurityEventLog & { events: SecurityEvent[] } {
  const events: SecurityEvent[] = [];
  return { events, record: (e) => void events.push(e), flush: async () => {} };
}

const uniqueEmail = (name = 'aminata') => `${name}.${randomBytes(4).toString('hex')}@example.org`;
const uniqueIp = () => `10.${[...randomBytes(3)].join('.')}`;

/** Settles everything and returns the error codes (or 'ok'). */
async function outcomes(attempts: Promise<unknown>[]): Promise<string[]> {
  const results = await Promise.allSettled(attempts);
  return results.map((r) =>
    r.status === 'fulfilled' ? 'ok' : r.reason instanceof DomainError ? r.reason.code : String(r.reason),
  );
}

describe('email one-time codes', () => {
  let smtp: TestSmtpServer;
  let mailer: Mailer & { close(): void };
  before(async () => {
    smtp = await startTestSmtpServer();
    mailer = createSmtpMailer({ smtpUrl: smtp.url, from: 'Créneau <ne-pas-repondre@creneau.localhost>' });
  });
  after(async () => {
    mailer.close();
    await smtp.close();
  });

  describeEachEngine('email codes', (database) => {
    const clock = new TestClock(NOW);
    let events: ReturnType<typeof eventLog>;
    let deps: EmailCodeDeps;
    const makeDeps = (
      db: Db,
      policy: Partial<EmailCodePolicy> = {},
      overrides: Partial<EmailCodeDeps> = {},
    ): EmailCodeDeps => ({
      emailVerifications: createEmailVerificationStore(db),
      mailer,
      limiter: memoryLimiter(clock),
      securityEvents: events,
      clock,
      secrets: cryptoSecrets,
      hasher: createHasher('test-identity-secret-0123456789abcdef'),
      emailCodes: { ...POLICY, ...policy },
      ...overrides,
    });
    beforeEach(() => {
      clock.set(NOW);
      events = eventLog();
      deps = makeDeps(database().db);
    });

    /** Sends a code and reads it from the mail that reached the SMTP server. */
    async function sendAndRead(input: Partial<SendEmailCodeInput> = {}) {
      const full: SendEmailCodeInput = { email: uniqueEmail(), purpose: 'booking', ip: uniqueIp(), ...input };
      const before = smtp.messages.length;
      const sent = await sendEmailCode(deps, full);
      const mail = await smtp.waitForMessage(
        (m) => smtp.messages.indexOf(m) >= before && m.recipients.includes(full.email.trim().toLowerCase()),
      );
      return { ...sent, email: full.email, purpose: full.purpose, code: codeFromMail(mail), mail };
    }
    const attempt = (
      sent: { verificationId: string; email: string; purpose: CheckEmailCodeInput['purpose'] },
      code: string,
      overrides: Partial<CheckEmailCodeInput> = {},
    ) =>
      checkEmailCode(deps, {
        verificationId: sent.verificationId,
        email: sent.email,
        purpose: sent.purpose,
        code,
        ip: '198.51.100.7',
        route: ROUTE,
        ...overrides,
      });
    const wrong = (code: string) => String((Number(code) + 1) % 100_000_000).padStart(8, '0');
    const row = (id: string) =>
      database().db.selectFrom('email_verification').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    /** Consumes in a transaction of our own, as the booking transaction will. */
    const consumeInTransaction = (verified: VerifiedEmailCode, work: () => Promise<void> = async () => {}) =>
      database()
        .db.transaction()
        .execute(async (trx) => {
          await consumeEmailCode(
            { consumeEmailVerification: (a) => consumeEmailVerification(trx, a) },
            verified,
            clock.now(),
          );
          await work();
        });

    it("mails an 8-digit code in the page's language (French by default), stores only its keyed digest, valid 10 minutes", async () => {
      const sent = await sendAndRead({ purpose: 'reschedule' });
      assert.match(sent.code, /^\d{8}$/);
      const { parsed } = sent.mail;
      const shown = `${sent.code.slice(0, 4)} ${sent.code.slice(4)}`;
      assert.equal(parsed.subject, `Votre code Créneau : ${shown}`);
      const text = parsed.text ?? '';
      assert.match(text, /déplacer votre rendez-vous/);
      assert.match(text, /valable 10 minutes/);
      assert.match(text, /Si vous n'avez rien demandé, ignorez ce message/);
      assert.doesNotMatch(text, /Your Créneau code/);
      const english = await sendAndRead({ purpose: 'reschedule', language: 'en' });
      assert.equal(
        english.mail.parsed.subject,
        `Your Créneau code: ${english.code.slice(0, 4)} ${english.code.slice(4)}`,
      );
      assert.match(english.mail.parsed.text ?? '', /move your appointment/);
      assert.match(english.mail.parsed.text ?? '', /valid for 10 minutes/);
      assert.match(english.mail.parsed.text ?? '', /If you did not ask for it, ignore this message/);

      assert.equal(sent.expiresAt.getTime(), NOW.getTime() + 10 * 60_000);
      const stored = await row(sent.verificationId);
      assert.equal(stored.purpose, 'reschedule');
      assert.equal(stored.attempts, 0);
      assert.equal(stored.max_attempts, 5);
      assert.ok(!stored.code_hash.includes(sent.code));
      // Keyed: without the server secret, the 10^8 possible codes cannot be tried offline.
      assert.equal(stored.code_hash, deps.hasher.identityKey(`email-code:${sent.verificationId}:${sent.code}`));
      assert.notEqual(
        stored.code_hash,
        createHasher('another-secret-0123456789abcdef0123').identityKey(
          `email-code:${sent.verificationId}:${sent.code}`,
        ),
      );
    });

    it('accepts the right code once, typed with spaces or dashes; then it is used up', async () => {
      const sent = await sendAndRead({ email: '  Fatou.Sow@Example.org ' });
      const verified = await attempt(sent, `${sent.code.slice(0, 4)}-${sent.code.slice(4)}`, {
        email: 'fatou.sow@example.org',
      });
      assert.equal(verified.verificationId, sent.verificationId);
      // Checking twice is fine (a refused booking retries with the same code) and costs no try.
      await attempt(sent, ` ${sent.code.slice(0, 4)} ${sent.code.slice(4)} `);
      assert.equal((await row(sent.verificationId)).attempts, 0);
      await consumeInTransaction(verified);
      await assert.rejects(attempt(sent, sent.code), { code: 'EMAIL_CODE_INVALID' });
      await assert.rejects(consumeInTransaction(verified), { code: 'EMAIL_CODE_INVALID' });
      assert.ok((await row(sent.verificationId)).consumed_at);
    });

    it('leaves the code usable when the action it authorised rolls back', async () => {
      const sent = await sendAndRead();
      const verified = await attempt(sent, sent.code);
      await assert.rejects(
        consumeInTransaction(verified, async () => {
          throw new DomainError('SLOT_TAKEN');
        }),
        { code: 'SLOT_TAKEN' },
      );
      assert.equal((await row(sent.verificationId)).consumed_at, null);
      await consumeInTransaction(await attempt(sent, sent.code));
    });

    it('lets only one of two concurrent actions consume a code', async () => {
      const sent = await sendAndRead();
      const verified = await attempt(sent, sent.code);
      const codes = await outcomes(
        [1, 2].map(() => consumeInTransaction(verified, () => new Promise((r) => setTimeout(r, 50)))),
      );
      assert.deepEqual(codes.sort(), ['EMAIL_CODE_INVALID', 'ok']);
    });

    it('kills the code after 5 wrong tries: even the right one is refused then', async () => {
      const sent = await sendAndRead();
      for (let i = 0; i < 4; i++) await assert.rejects(attempt(sent, wrong(sent.code)), { code: 'EMAIL_CODE_INVALID' });
      assert.equal((await row(sent.verificationId)).attempts, 4);
      await assert.rejects(attempt(sent, wrong(wrong(sent.code))), { code: 'EMAIL_CODE_INVALID' });
      assert.equal((await row(sent.verificationId)).attempts, 5);
      await assert.rejects(attempt(sent, sent.code), { code: 'EMAIL_CODE_INVALID' });
      assert.equal((await row(sent.verificationId)).attempts, 5);
    });

    it('still accepts the right code after 4 wrong tries', async () => {
      const sent = await sendAndRead();
      for (let i = 0; i < 4; i++) await assert.rejects(attempt(sent, wrong(sent.code)), { code: 'EMAIL_CODE_INVALID' });
      await attempt(sent, sent.code);
    });

    it('counts every one of 20 concurrent wrong tries, never passing the maximum', async () => {
      const sent = await sendAndRead();
      const codes = await outcomes(
        Array.from({ length: 20 }, (_, i) =>
          attempt(sent, String((Number(sent.code) + i + 1) % 100_000_000).padStart(8, '0')),
        ),
      );
      assert.deepEqual(new Set(codes), new Set(['EMAIL_CODE_INVALID']));
      assert.equal((await row(sent.verificationId)).attempts, 5);
      await assert.rejects(attempt(sent, sent.code), { code: 'EMAIL_CODE_INVALID' });
      assert.equal(events.events.filter((e) => e.reason === 'email_code_invalid').length, 21);
    });

    it('expires the code after 10 minutes', async () => {
      const sent = await sendAndRead();
      clock.set(new Date(NOW.getTime() + 10 * 60_000 - 1));
      await attempt(sent, sent.code);
      clock.set(new Date(NOW.getTime() + 10 * 60_000));
      await assert.rejects(attempt(sent, sent.code), { code: 'EMAIL_CODE_INVALID' });
    });

    it('never lets a code live more than 10 minutes, whatever the configuration', async () => {
      deps = makeDeps(database().db, { ttlMinutes: 60 });
      const sent = await sendAndRead();
      assert.equal(sent.expiresAt.getTime(), NOW.getTime() + 10 * 60_000);
      assert.match(sent.mail.parsed.text ?? '', /valable 10 minutes/);
    });

    it('binds the code to its address and its action', async () => {
      const sent = await sendAndRead({ email: 'awa.ba@example.org', purpose: 'booking' });
      // The same inbox by the per-email cap's rules, but not the address the code went to.
      await assert.rejects(attempt(sent, sent.code, { email: 'awa.ba+rdv@example.org' }), {
        code: 'EMAIL_CODE_INVALID',
      });
      await assert.rejects(attempt(sent, sent.code, { email: uniqueEmail() }), { code: 'EMAIL_CODE_INVALID' });
      await assert.rejects(attempt(sent, sent.code, { purpose: 'request' }), { code: 'EMAIL_CODE_INVALID' });
      await assert.rejects(attempt(sent, sent.code, { purpose: 'reschedule' }), { code: 'EMAIL_CODE_INVALID' });
      const other = await sendAndRead({ email: 'awa.ba@example.org' });
      await assert.rejects(attempt(other, sent.code === other.code ? wrong(sent.code) : sent.code), {
        code: 'EMAIL_CODE_INVALID',
      });
      await attempt(sent, sent.code);
    });

    it('gives one and the same refusal for every kind of failure, without a database error', async () => {
      const sent = await sendAndRead();
      const refusals = await Promise.allSettled([
        attempt(sent, wrong(sent.code)),
        attempt(sent, sent.code, { verificationId: crypto.randomUUID() }),
        attempt(sent, sent.code, { verificationId: 'not-a-uuid' }),
        attempt(sent, sent.code, { verificationId: "'; drop table email_verification; --" }),
        attempt(sent, sent.code, { verificationId: `${sent.verificationId}0` }),
        attempt(sent, 'abcd efgh'),
        attempt(sent, ''),
        attempt(sent, sent.code, { email: uniqueEmail() }),
      ]);
      for (const r of refusals) {
        assert.equal(r.status, 'rejected');
        const error = (r as PromiseRejectedResult).reason as DomainError;
        assert.ok(error instanceof DomainError, String(error));
        assert.equal(error.code, 'EMAIL_CODE_INVALID');
        assert.equal(error.message, ERROR_CATALOGUE.EMAIL_CODE_INVALID);
        assert.equal(error.details, undefined);
      }
      // Malformed codes cost no try; the wrong one did.
      assert.equal((await row(sent.verificationId)).attempts, 1);
      const recorded = events.events.filter((e) => e.reason === 'email_code_invalid');
      assert.equal(recorded.length, 8);
      for (const e of recorded) {
        assert.equal(e.ip, '198.51.100.7');
        assert.equal(e.route, ROUTE);
        assert.ok(e.emailHash && !e.emailHash.includes('@'));
      }
      await attempt(sent, sent.code);
    });

    it('sends at most 5 codes per address and hour (plus-addresses count as one inbox)', async () => {
      const address = uniqueEmail('fatou');
      const variants = [address, address.toUpperCase(), address.replace('@', '+a@'), address, address];
      for (const email of variants) await sendEmailCode(deps, { email, purpose: 'booking', ip: uniqueIp() });
      const before = smtp.messages.length;
      await assert.rejects(
        sendEmailCode(deps, { email: address.replace('@', '+b@'), purpose: 'request', ip: uniqueIp() }),
        (e: unknown) => {
          assert.ok(e instanceof DomainError);
          assert.equal(e.code, 'EMAIL_CODE_SEND_LIMITED');
          assert.equal(e.details?.retryAfterSeconds, 3600);
          return true;
        },
      );
      const rows = await database()
        .db.selectFrom('email_verification')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('email_key', '=', address)
        .executeTakeFirstOrThrow();
      assert.equal(rows.n, 5);
      assert.equal(smtp.messages.length, before, 'no mail for a refused send');
      const [event] = events.events.filter((e) => e.reason === 'email_code_send_limited');
      assert.equal(event?.details?.limit, 'email');
      assert.ok(event?.emailHash && !event.emailHash.includes(address.split('@')[0]!));
      clock.set(new Date(NOW.getTime() + 3600_000));
      await sendEmailCode(deps, { email: address, purpose: 'booking', ip: uniqueIp() });
    });

    it("sends at most N codes per IP and hour, without using up the addresses' allowance", async () => {
      deps = makeDeps(database().db, { sendsPerIpPerHour: 5 });
      const ip = uniqueIp();
      for (let i = 0; i < 5; i++) await sendEmailCode(deps, { email: uniqueEmail(), purpose: 'booking', ip });
      const victim = uniqueEmail('victim');
      for (let i = 0; i < 7; i++) {
        await assert.rejects(sendEmailCode(deps, { email: victim, purpose: 'booking', ip }), {
          code: 'EMAIL_CODE_SEND_LIMITED',
        });
      }
      assert.equal(
        events.events.filter((e) => e.reason === 'email_code_send_limited' && e.details?.limit === 'ip').length,
        7,
      );
      // From another network the victim still gets their codes.
      for (let i = 0; i < 5; i++) await sendEmailCode(deps, { email: victim, purpose: 'booking', ip: uniqueIp() });
    });

    it('counts an IPv6 client by its /64: rotating addresses inside it buys no more sends', async () => {
      deps = makeDeps(database().db, { sendsPerIpPerHour: 5 });
      const prefix = `2001:db8:${randomBytes(2).toString('hex')}:7`;
      for (let i = 1; i <= 5; i++)
        await sendEmailCode(deps, { email: uniqueEmail(), purpose: 'booking', ip: `${prefix}::${i.toString(16)}` });
      await assert.rejects(
        sendEmailCode(deps, { email: uniqueEmail(), purpose: 'booking', ip: `${prefix}:ffff:1:2:3` }),
        { code: 'EMAIL_CODE_SEND_LIMITED' },
      );
      await sendEmailCode(deps, { email: uniqueEmail(), purpose: 'booking', ip: `${prefix.slice(0, -1)}8::1` });
    });

    it('answers alike for every address', async () => {
      const a = await sendEmailCode(deps, { email: uniqueEmail(), purpose: 'booking', ip: uniqueIp() });
      const b = await sendEmailCode(deps, {
        email: 'someone-with-appointments@example.org',
        purpose: 'booking',
        ip: uniqueIp(),
      });
      assert.deepEqual(Object.keys(a).sort(), ['expiresAt', 'verificationId']);
      assert.deepEqual(Object.keys(b).sort(), Object.keys(a).sort());
      assert.equal(a.expiresAt.getTime(), b.expiresAt.getTime());
      assert.notEqual(a.verificationId, b.verificationId);
    });

    it('reports a mail that could not be handed over as a temporary failure', async () => {
      smtp.rejectRecipients.add('bounce@example.org');
      await assert.rejects(sendEmailCode(deps, { email: 'bounce@example.org', purpose: 'booking', ip: uniqueIp() }), {
        code: 'SERVICE_UNAVAILABLE',
      });
    });

    it('counts no send that failed on our side: retrying through an outage never locks a person out', async () => {
      deps = makeDeps(database().db, { sendsPerEmailPerHour: 2, sendsPerIpPerHour: 3 });
      const ip = uniqueIp();
      const address = uniqueEmail('outage');
      // The relay refuses: nothing is sent, nothing is counted.
      smtp.rejectRecipients.add(address.toLowerCase());
      for (let i = 0; i < 4; i++)
        await assert.rejects(sendEmailCode(deps, { email: address, purpose: 'booking', ip }), {
          code: 'SERVICE_UNAVAILABLE',
        });
      smtp.rejectRecipients.delete(address.toLowerCase());
      // The database is down: the same.
      const down = makeDeps(
        database().db,
        { sendsPerEmailPerHour: 2, sendsPerIpPerHour: 3 },
        {
          limiter: deps.limiter,
          emailVerifications: {
            ...createEmailVerificationStore(database().db),
            insertEmailVerification: async () => {
              throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
            },
          },
        },
      );
      for (let i = 0; i < 4; i++)
        await assert.rejects(sendEmailCode(down, { email: address, purpose: 'booking', ip }), /ECONNREFUSED/);
      // Back up: the full allowance is there, and still counted.
      await sendEmailCode(deps, { email: address, purpose: 'booking', ip });
      await sendEmailCode(deps, { email: address, purpose: 'booking', ip });
      await assert.rejects(sendEmailCode(deps, { email: address, purpose: 'booking', ip }), {
        code: 'EMAIL_CODE_SEND_LIMITED',
      });
    });

    describe('POST /api/email-verifications', () => {
      let app: FastifyInstance;
      before(async () => {
        const server = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
        server.setValidatorCompiler(validatorCompiler);
        server.setSerializerCompiler(serializerCompiler);
        server.setErrorHandler((error, request, reply) => sendProblem(reply, toProblem(error, request)));
        // Through a getter, so each test's deps (fresh limiter, policy) are used.
        const pow = createAltchaProofOfWork({
          hmacKey: 'test-pow-hmac-key-0123456789abcdef0123',
          clock,
          replayStore: createDbReplayStore(database().db, clock),
          difficulty: createDifficultyPolicy(TEST_POW_DIFFICULTY),
        });
        const responses = createIdempotentResponseStore(database().db);
        const applicants = applicantUseCases(
          new Proxy({} as ApplicantPorts, {
            get: (_t, p) =>
              p === 'idempotentResponses' ? responses : p === 'pow' ? pow : deps[p as keyof EmailCodeDeps],
          }),
        );
        await server.register(powRoutes(applicants));
        await server.register(emailVerificationRoutes(applicants));
        await server.ready();
        app = server as unknown as FastifyInstance;
      });
      after(async () => {
        await app.close();
      });

      it('answers 202 with the verification id and the expiry, and the mail goes out', async () => {
        const email = uniqueEmail();
        const response = await app.inject({
          method: 'POST',
          url: '/api/email-verifications',
          payload: { email, purpose: 'request', altcha: await solvedPow(app) },
        });
        assert.equal(response.statusCode, 202, response.body);
        assert.equal(response.headers['cache-control'], 'no-store');
        const body = response.json() as { verificationId: string; expiresAt: string };
        assert.deepEqual(Object.keys(body).sort(), ['expiresAt', 'verificationId']);
        assert.equal(body.expiresAt, new Date(NOW.getTime() + 10 * 60_000).toISOString());
        const mail = await smtp.waitForMessage((m) => m.recipients.includes(email));
        await checkEmailCode(deps, {
          verificationId: body.verificationId,
          email,
          purpose: 'request',
          code: codeFromMail(mail),
          ip: null,
          route: ROUTE,
        });
      });

      it('sends nothing without a proof of work, or with a solution already used', async () => {
        const email = uniqueEmail();
        const missing = await app.inject({
          method: 'POST',
          url: '/api/email-verifications',
          payload: { email, purpose: 'booking' },
        });
        assert.equal(missing.statusCode, 400);
        assert.equal(missing.json().code, 'PROOF_OF_WORK_REQUIRED');
        const altcha = await solvedPow(app);
        assert.equal(
          (
            await app.inject({
              method: 'POST',
              url: '/api/email-verifications',
              payload: { email, purpose: 'booking', altcha },
            })
          ).statusCode,
          202,
        );
        const replayed = await app.inject({
          method: 'POST',
          url: '/api/email-verifications',
          payload: { email, purpose: 'booking', altcha },
        });
        assert.equal(replayed.statusCode, 403);
        assert.deepEqual(
          [replayed.json().code, replayed.json().details.reason],
          ['PROOF_OF_WORK_REJECTED', 'replayed'],
        );
        assert.equal(smtp.messages.filter((m) => m.recipients.includes(email)).length, 1);
      });

      it('refuses malformed bodies with VALIDATION_FAILED', async () => {
        for (const payload of [
          { email: 'not-an-email', purpose: 'booking' },
          { email: uniqueEmail(), purpose: 'spam' },
          { email: uniqueEmail(), purpose: 'booking', extra: 1 },
        ]) {
          const response = await app.inject({ method: 'POST', url: '/api/email-verifications', payload });
          assert.equal(response.statusCode, 400, response.body);
          assert.equal(response.json().code, 'VALIDATION_FAILED');
        }
      });

      it('answers 429 EMAIL_CODE_SEND_LIMITED with Retry-After past the limit', async () => {
        const email = uniqueEmail();
        for (let i = 0; i < 5; i++) {
          assert.equal(
            (
              await app.inject({
                method: 'POST',
                url: '/api/email-verifications',
                payload: { email, purpose: 'booking', altcha: await solvedPow(app) },
              })
            ).statusCode,
            202,
          );
        }
        const response = await app.inject({
          method: 'POST',
          url: '/api/email-verifications',
          payload: { email, purpose: 'booking', altcha: await solvedPow(app) },
        });
        assert.equal(response.statusCode, 429);
        assert.equal(response.json().code, 'EMAIL_CODE_SEND_LIMITED');
        assert.equal(response.headers['retry-after'], '3600');
      });
    });
  });
});
