// Appointment requests in Chromium, end to end, in French and in English: the request form
// (proof of work solved by the real widget), the code read from the outbox, "my request";
// then a real draw, the offer email, the link of the first email opened on another device,
// and the offer confirmed. Every page passes axe-core; each step is saved as a screenshot.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { createOutboxMailer } from '../../src/adapters/mail/outbox-mailer.ts';
import { runDrawForTick } from '../../src/app/draws/run-draw.ts';
import { deliverDueMessages } from '../../src/app/notifications/deliver-outbox.ts';
import { testAllocationContext } from '../support/allocation.ts';
import {
  type BrowserServer,
  browserSkipReason,
  expectNoAxeViolations,
  openPage,
  pageProblems,
  screenshot,
  startBrowserServer,
} from '../support/browser.ts';
import { TEST_FROM, testDelivery } from '../support/outbox.ts';
import { type AllocationScenario, allocationScenario } from '../support/requests.ts';

/** Monday 1 June 2026, 10:00 in Paris. */
const NOW = new Date('2026-06-01T08:00:00Z');
/** Monday 8 June 2026, 09:00 in Paris. */
const IN_A_WEEK_9H = new Date('2026-06-08T07:00:00Z');

const TEXT = {
  fr: {
    formHeading: 'Déposer une demande de rendez-vous',
    send: 'Recevoir le code de confirmation par courriel',
    codeHeading: 'Confirmer votre adresse électronique',
    file: 'Confirmer et déposer ma demande',
    mine: 'Ma demande de rendez-vous',
    waiting: "En attente d'un tirage",
    when: 'lundi 8 juin 2026 à 09h00',
    accept: 'Accepter ce rendez-vous',
    withdraw: 'Retirer votre demande ?',
    decline: 'Refuser ce rendez-vous ?',
  },
  en: {
    formHeading: 'File an appointment request',
    send: 'Get the confirmation code by email',
    codeHeading: 'Confirm your email address',
    file: 'Confirm and file my request',
    mine: 'My appointment request',
    waiting: 'Waiting for a draw',
    when: 'Monday 8 June 2026 at 09:00',
    accept: 'Accept this appointment',
    withdraw: 'Withdraw your request?',
    decline: 'Decline this appointment?',
  },
} as const;

/** Waits until the proof-of-work widget has put its solution in the form. */
async function powSolved(page: Page): Promise<void> {
  await page.waitForFunction(
    () => [...document.querySelectorAll<HTMLInputElement>('input[name="altcha"]')].some((i) => i.value.length > 0),
    undefined,
    { timeout: 30_000 },
  );
}

const h1 = (page: Page) => page.locator('h1').innerText();

/** Ticks (or unticks) a DSFR checkbox as a person does: on its label, which covers the box. */
async function tick(page: Page, name: string, value: string, checked = true): Promise<void> {
  const box = page.locator(`input[name="${name}"][value="${value}"]`);
  if ((await box.isChecked()) !== checked) await page.click(`label[for="${await box.getAttribute('id')}"]`);
  assert.equal(await box.isChecked(), checked);
}

/**
 * A form refused by design answers 4xx (the page with its errors): Chromium logs that status
 * as a console error, which is no problem of the page; any other console error still fails.
 */
async function expectRefusedFormAccessible(page: Page, label: string): Promise<void> {
  const problems = pageProblems.get(page) ?? [];
  // In place: the page's listener keeps pushing to this very array.
  const kept = problems.filter((p) => !/^Failed to load resource: the server responded with a status of 4\d\d/.test(p));
  problems.splice(0, problems.length, ...kept);
  await expectNoAxeViolations(page, label);
}

describe('appointment requests in a real browser', { skip: browserSkipReason() }, () => {
  let server: BrowserServer;
  before(async () => {
    server = await startBrowserServer({ now: NOW });
  });
  after(async () => {
    await server?.close();
  });

  /** Delivers the outbox (the worker's job in production) into the mailbox the test reads. */
  const deliverMail = () =>
    deliverDueMessages(
      testDelivery(server.database.db, server.clock, {
        mailer: createOutboxMailer({ dir: server.mails.dir, from: TEST_FROM }),
      }),
    );

  /** Fills and sends the request form, then the code from the mail; ends on "my request". */
  async function fileRequest(page: Page, lang: 'fr' | 'en', s: AllocationScenario, email: string, shot: string) {
    const text = TEXT[lang];
    assert.equal(await h1(page), text.formHeading);
    await expectNoAxeViolations(page, `request form (${lang})`);
    await page.fill('#surname', 'Traoré');
    await page.fill('#givenNames', 'Fatoumata');
    await page.fill('#birthDate', '1991-03-14');
    await page.selectOption('#nationality', 'MLI');
    await page.fill('#email', email);
    await page.fill('#passportNumber', `AB${Math.floor(Math.random() * 1e7)}`);
    await tick(page, 'siteIds', s.siteId);
    for (const day of ['1', '2', '3', '4', '5']) await tick(page, 'weekdays', day);
    await screenshot(page, `${shot}-1-form`);
    await powSolved(page);
    await page.getByRole('button', { name: text.send }).click();
    await page.waitForSelector('#code');
    assert.equal(await h1(page), text.codeHeading);
    await expectNoAxeViolations(page, `request code step (${lang})`);
    await page.fill('#code', await server.mails.codeFor(email));
    await screenshot(page, `${shot}-2-code`);
    await powSolved(page);
    await page.getByRole('button', { name: text.file }).click();
    await page.waitForURL(/\/my-request$/);
    assert.equal(await h1(page), text.mine);
    assert.equal(new URL(page.url()).search, '', 'nothing in the address');
    await expectNoAxeViolations(page, `my request (${lang})`);
    await screenshot(page, `${shot}-3-my-request`);
  }

  for (const lang of ['fr', 'en'] as const) {
    it(`files a request, is offered a slot by a draw, and confirms it (${lang})`, async () => {
      const text = TEXT[lang];
      server.clock.set(NOW);
      const s = await allocationScenario(server.database.db);
      const email = `fatoumata.${lang}.${Date.now()}@example.org`;
      const page = await openPage(server.baseUrl, `/request?procedure=${s.procedureId}&prefecture=93`, {
        lang,
        mobile: true,
      });
      try {
        await fileRequest(page, lang, s, email, `request-${lang}`);
        const token = await page.locator('[data-management-token]').innerText();
        assert.match(token, /^[A-Za-z0-9_-]{40,}$/, 'the token shown to write down');
        assert.ok(((await page.locator('main').textContent()) ?? '').includes(text.waiting));

        // The first email carries the management link; the draw's email tells the slot and the deadline.
        await deliverMail();
        const filedMail = (await server.mails.to(email)).find((m) => /\/manage\/open\?token=/.test(m.text ?? ''));
        assert.ok(filedMail, 'the request-filed email with its link');
        const link = new URL(/https?:\/\/\S+\/manage\/open\?token=[A-Za-z0-9_%-]+/.exec(filedMail.text ?? '')![0]);
        await s.addSlots(1, IN_A_WEEK_9H);
        const drawn = await runDrawForTick(testAllocationContext(server.database.db, server.clock), {
          prefectureId: '93',
          procedureId: s.procedureId,
          tick: server.clock.now(),
          trigger: 'manual',
        });
        assert.equal(drawn.status, 'drawn');
        await deliverMail();
        const mails = await server.mails.to(email);
        const offerMail = mails.find(
          (m) => m !== filedMail && (m.text ?? '').includes(lang === 'fr' ? '8 juin 2026' : '8 June 2026'),
        );
        assert.ok(
          offerMail,
          `the offer email names the slot, in the request's language: ${mails.map((m) => m.subject).join(' | ')}`,
        );

        // The offer email's own link: on the device that filed, straight to the request and its offer.
        const answer = /https?:\/\/\S+(\/manage\/find\?reference=[A-Z0-9-]+)/.exec(offerMail.text ?? '')?.[1];
        assert.ok(answer, 'the offer email links to the page where it is answered');
        await page.goto(answer);
        await page.waitForURL(/\/my-request$/);
        assert.ok((await page.locator('main').innerText()).includes(text.when), 'the offer, one click from the email');

        // Later, on another device: the link of the first email; the token leaves the address at once.
        const other = await openPage(server.baseUrl, `${link.pathname}${link.search}`, { lang });
        try {
          await other.waitForURL(/\/my-request$/);
          assert.ok(!other.url().includes('token'), 'the token is not left in the address');
          const main = await other.locator('main').innerText();
          assert.ok(main.includes(text.when), `the offer in the site's time zone: ${main}`);
          await expectNoAxeViolations(other, `my request with an offer (${lang})`);
          await screenshot(other, `request-${lang}-4-offer`);
          await other
            .getByRole('link', { name: lang === 'fr' ? 'Refuser ce rendez-vous' : 'Decline this appointment' })
            .click();
          assert.equal(await h1(other), text.decline);
          await expectNoAxeViolations(other, `decline question (${lang})`);
          await screenshot(other, `request-${lang}-5-decline-question`);
          await other.goBack();
          await other.getByRole('button', { name: text.accept }).click();
          await other.waitForURL(/\/manage\?done=accepted$/);
          assert.ok(
            (await other.locator('main').innerText()).includes(text.when),
            'the appointment, managed with the same token',
          );
          // A success message that explains the appointment's own reference.
          assert.match(
            await other.locator('[role="status"]').innerText(),
            lang === 'fr'
              ? /Proposition acceptée[\s\S]*propre numéro de référence/
              : /Offer accepted[\s\S]*own reference number/,
          );
          await expectNoAxeViolations(other, `offer accepted (${lang})`);
          await screenshot(other, `request-${lang}-6-confirmed`);
        } finally {
          await other.context().close();
        }
      } finally {
        await page.context().close();
      }
    });
  }

  for (const lang of ['fr', 'en'] as const) {
    it(`has no accessibility violation on the other request pages (${lang})`, async () => {
      server.clock.set(NOW);
      const s = await allocationScenario(server.database.db);
      // Without a cookie: how to open a request.
      const anonymous = await openPage(server.baseUrl, '/my-request', { lang });
      try {
        await expectNoAxeViolations(anonymous, `my request without a token (${lang})`);
      } finally {
        await anonymous.context().close();
      }
      const page = await openPage(server.baseUrl, `/request?procedure=${s.procedureId}&prefecture=93`, { lang });
      try {
        // The form refused: the error summary and the fields in their error state.
        await page.fill('#email', 'not-an-email');
        await page.fill('#urgencyDate', '2050-01-01');
        await powSolved(page);
        await page.getByRole('button', { name: TEXT[lang].send }).click();
        await page.waitForSelector('#form-errors');
        await expectRefusedFormAccessible(page, `request form with errors (${lang})`);
        await screenshot(page, `request-${lang}-form-errors`);

        await page.goto(`/request?procedure=${s.procedureId}&prefecture=93`);
        await fileRequest(page, lang, s, `awa.${lang}.${Date.now()}@example.org`, `request-${lang}-other`);
        // The change form refused, then the withdrawal question.
        for (const day of ['1', '2', '3', '4', '5']) await tick(page, 'weekdays', day, false);
        await page
          .getByRole('button', { name: lang === 'fr' ? 'Enregistrer mes disponibilités' : 'Save my availability' })
          .click();
        await page.waitForSelector('#form-errors');
        await expectRefusedFormAccessible(page, `my request, change refused (${lang})`);
        await page.getByRole('link', { name: lang === 'fr' ? 'Retirer ma demande' : 'Withdraw my request' }).click();
        assert.equal(await h1(page), TEXT[lang].withdraw);
        await expectNoAxeViolations(page, `withdraw question (${lang})`);
        await page
          .getByRole('button', { name: lang === 'fr' ? 'Oui, retirer ma demande' : 'Yes, withdraw my request' })
          .click();
        await page.waitForURL(/done=withdrawn/);
        await expectNoAxeViolations(page, `my request withdrawn (${lang})`);
        await screenshot(page, `request-${lang}-withdrawn`);
      } finally {
        await page.context().close();
      }
    });
  }

  it('says how to file by phone or at the counter when JavaScript is off', async () => {
    const s = await allocationScenario(server.database.db);
    const page = await openPage(server.baseUrl, `/request?procedure=${s.procedureId}&prefecture=93`, {
      lang: 'en',
      javaScript: false,
    });
    try {
      const note = page.locator('noscript, .fr-alert--warning').filter({ hasText: 'JavaScript is turned off' });
      assert.equal((await note.count()) > 0 || (await page.content()).includes('JavaScript is turned off'), true);
      assert.equal(
        await page.locator('a[href^="/contact"]').filter({ hasText: 'See phone numbers and reception hours' }).count(),
        1,
      );
    } finally {
      await page.context().close();
    }
  });
});
