// Emails rendered on a thread of their own (adapters/mail/render-thread.ts): the same message
// as on this thread, byte for byte; a message that cannot be rendered refused with its error,
// the thread going on; a thread that dies or hangs replaced at the next email; a close that lets the
// renders in flight finish and refuses new ones.
// End to end through SMTP: test/storage/outbox-delivery.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startRenderThread } from '../../src/adapters/mail/render-thread.ts';
import { convocationToken } from '../../src/app/convocations/issue-convocation.ts';
import { renderEmail } from '../../src/app/notifications/render-email.ts';
import type { ClaimedMessage } from '../../src/ports/outbox.ts';
import { CAYENNE, TEST_ORGANIZER, TEST_PUBLIC_URL, testSigner } from '../support/outbox.ts';

const SETTINGS = { publicUrl: TEST_PUBLIC_URL, organizer: TEST_ORGANIZER };
/** The real program, but a render whose id is 'crash' ends the thread and one whose id is 'hang' blocks it. */
const FAULTY_PROGRAM = new URL('../support/fixtures/crashing-render-thread.js', import.meta.url);

const claimed = (id: string, language: 'fr' | 'en' = 'fr'): ClaimedMessage => ({
  kind: 'appointment-booked',
  payload: { appointment: CAYENNE, managementToken: `token-${id}` },
  id,
  channel: 'email',
  recipient: 'awa.diallo@example.org',
  language,
  attempts: 1,
  claimToken: 'claim',
  claimedUntil: new Date('2026-11-01T10:01:00Z'),
  createdAt: new Date('2026-11-01T10:00:00Z'),
});

const token = convocationToken(testSigner, {
  id: CAYENNE.appointmentId,
  reference: CAYENNE.reference,
  endsAt: new Date(CAYENNE.endsAt),
  timeZone: CAYENNE.timeZone,
}).token;

describe('render thread', () => {
  it('renders the message this thread renders, attachments as Buffers, in each language', async () => {
    const thread = startRenderThread(SETTINGS);
    try {
      const ids = ['7d0e8a52-9f7b-4a43-9c57-1d7c5e2b7a01', '7d0e8a52-9f7b-4a43-9c57-1d7c5e2b7a02'];
      const [fr, en] = await Promise.all([
        thread.render(claimed(ids[0]!, 'fr'), token),
        thread.render(claimed(ids[1]!, 'en'), token),
      ]);
      assert.deepEqual(fr, await renderEmail(SETTINGS, claimed(ids[0]!, 'fr'), token));
      assert.deepEqual(en, await renderEmail(SETTINGS, claimed(ids[1]!, 'en'), token));
      assert.match(en!.subject, /^Appointment confirmed/);
      const png = fr!.attachments?.find((a) => a.contentType === 'image/png');
      assert.ok(png && Buffer.isBuffer(png.content), 'the QR code comes back as a Buffer, as the mailer wants');
    } finally {
      await thread.close();
    }
  });

  it('refuses a message it cannot render with its error, and renders the next one', async () => {
    const thread = startRenderThread(SETTINGS);
    try {
      const broken = {
        ...claimed('7d0e8a52-9f7b-4a43-9c57-1d7c5e2b7a03'),
        kind: 'no-such-kind',
      } as unknown as ClaimedMessage;
      await assert.rejects(thread.render(broken, null), {
        name: 'Error',
        message: 'unknown outbox message kind: no-such-kind',
      });
      const next = await thread.render(claimed('7d0e8a52-9f7b-4a43-9c57-1d7c5e2b7a04'), token);
      assert.match(next.subject, /^Rendez-vous confirmé/);
    } finally {
      await thread.close();
    }
  });

  /** A thread of the fixture program: a render whose id is `fault` fails it; refused with `refusal`, then the next render works on a new thread. */
  async function refusedThenReplaced(
    fault: 'crash' | 'hang',
    refusal: string,
    options: { stuckAfterMs?: number } = {},
  ) {
    const thread = startRenderThread(SETTINGS, { launcher: FAULTY_PROGRAM, ...options });
    try {
      const before = await thread.render(claimed('7d0e8a52-9f7b-4a43-9c57-1d7c5e2b7a07'), token); // started, and warm
      assert.match(before.subject, /^Rendez-vous confirmé/);
      await assert.rejects(thread.render({ ...claimed('7d0e8a52-9f7b-4a43-9c57-1d7c5e2b7a08'), id: fault }, token), {
        message: refusal,
      });
      const after = await thread.render(claimed('7d0e8a52-9f7b-4a43-9c57-1d7c5e2b7a09'), token);
      assert.deepEqual(after, await renderEmail(SETTINGS, claimed('7d0e8a52-9f7b-4a43-9c57-1d7c5e2b7a09'), token));
    } finally {
      await thread.close();
    }
  }

  it('a thread that dies: the renders it held are refused, the next one starts another thread', () =>
    refusedThenReplaced('crash', 'RENDER_THREAD_STOPPED: the render thread exited (3)'));

  it('a thread that answers nothing is stopped in time: its renders refused, the next one on a new thread', () =>
    refusedThenReplaced('hang', 'RENDER_THREAD_STUCK: no answer within 2000 ms', { stuckAfterMs: 2_000 }));

  it('closes after the renders in flight, and refuses new ones', async () => {
    const thread = startRenderThread(SETTINGS);
    const inFlight = thread.render(claimed('7d0e8a52-9f7b-4a43-9c57-1d7c5e2b7a05'), token);
    const closing = thread.close();
    assert.match((await inFlight).subject, /^Rendez-vous confirmé/, 'the render in flight finished');
    await closing;
    await assert.rejects(thread.render(claimed('7d0e8a52-9f7b-4a43-9c57-1d7c5e2b7a06'), token), /RENDER_THREAD_CLOSED/);
  });
});
