// Steps the page journeys share in a real browser: radio buttons (DSFR draws its own, the
// label takes the click), the proof-of-work widget's solution, the keyboard's focus, and the
// outbox delivered to the mailbox the test reads.
import type { Page } from 'playwright-core';
import { createOutboxMailer } from '../../src/adapters/mail/outbox-mailer.ts';
import { listFreeSlots } from '../../src/app/booking/list-free-slots.ts';
import { deliverDueMessages } from '../../src/app/notifications/deliver-outbox.ts';
import { addDays } from '../../src/domain/calendar-date.ts';
import { localDateOf } from '../../src/domain/local-time.ts';
import type { BrowserServer } from './browser.ts';
import { TEST_FROM, testDelivery } from './outbox.ts';

/** Delivers the due outbox messages (the worker's job in production) as `.eml` files into `server.mails`. */
export async function deliverOutbox(server: BrowserServer): Promise<void> {
  await deliverDueMessages(
    testDelivery(server.database.db, server.clock, {
      mailer: createOutboxMailer({ dir: server.mails.dir, from: TEST_FROM }),
    }),
  );
}

/** The path of the management link (`/manage/open?token=…`) in the newest message to `email` that has one. */
export async function managementLinkIn(server: BrowserServer, email: string): Promise<string | undefined> {
  const texts = (await server.mails.to(email)).map((m) => m.text ?? '').reverse();
  return texts.map((text) => /\/manage\/open\?token=[A-Za-z0-9_%-]+/.exec(text)?.[0]).find(Boolean);
}

/** Checks a DSFR radio button (or checkbox) by its id, as a person clicks its label. */
export async function chooseRadio(page: Page, id: string): Promise<void> {
  await page.locator(`label[for="${id}"]`).click();
}

/** Waits until the ALTCHA widget has put its solution in the form. */
export async function waitForProofOfWork(page: Page): Promise<void> {
  await page.waitForFunction(
    () => Boolean((document.querySelector('input[name="altcha"]') as HTMLInputElement | null)?.value),
    undefined,
    { timeout: 20_000 },
  );
}

/** The id of the element that has the focus, or its text when it has no id. */
export function focused(page: Page): Promise<string> {
  return page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent?.trim() || '');
}

/** Presses Tab until `id` has the focus (at most `max` times); false if it never does. */
export async function tabTo(page: Page, id: string, max = 40): Promise<boolean> {
  for (let i = 0; i < max; i++) {
    if ((await focused(page)) === id) return true;
    await page.keyboard.press('Tab');
  }
  return (await focused(page)) === id;
}

/** The latest open slot of the demo's talent passport at Bobigny now (a slot freed by an earlier test goes to a draw: it is not open any more). */
export async function latestOpenSlot(server: BrowserServer): Promise<string> {
  const today = localDateOf(server.clock.now(), 'Europe/Paris');
  const { slots } = await listFreeSlots(server.ctx, {
    procedureId: 'passeport-talent',
    siteIds: ['bobigny'],
    fromDate: addDays(today, 1),
    toDate: addDays(today, 20),
    limit: 50,
  });
  return slots.at(-1)!.slotId;
}
