// "Manage my appointment" in Chromium, on the demo catalogue, in French and in English: the
// link of the confirmation email (read from the outbox) opens the appointment and leaves the
// address at once; the convocation, a reschedule with the code read from the outbox, the
// cancellation and "forget this device", each page accessible (axe-core, 0 violations) and
// photographed; the token typed by hand with the keyboard alone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bookSlot } from '../../src/app/booking/book-slot.ts';
import {
  type BrowserServer,
  browserSkipReason,
  expectNoAxeViolations,
  openPage,
  screenshot,
  startBrowserServer,
} from '../support/browser.ts';
import {
  chooseRadio,
  deliverOutbox,
  focused,
  latestOpenSlot,
  managementLinkIn,
  tabTo,
  waitForProofOfWork,
} from '../support/browser-forms.ts';
import { knownEmailProof } from '../support/scenario.ts';

const TEXT = {
  fr: {
    appointment: 'Mon rendez-vous',
    print: 'Imprimer ma convocation',
    move: 'Déplacer mon rendez-vous',
    chooseAndSend: 'Choisir ce créneau et recevoir un code',
    cancel: 'Annuler mon rendez-vous',
    confirmCancel: 'Oui, annuler mon rendez-vous',
    forget: 'Oublier mon rendez-vous sur cet appareil',
    moved: 'Votre rendez-vous est déplacé',
    cancelled: 'Votre rendez-vous est annulé',
    forgotten: 'Cet appareil a oublié votre rendez-vous',
    open: 'Ouvrir mon rendez-vous',
    manage: 'Gérer mon rendez-vous',
    status: 'Annulé',
  },
  en: {
    appointment: 'My appointment',
    print: 'Print my convocation',
    move: 'Move my appointment',
    chooseAndSend: 'Choose this slot and receive a code',
    cancel: 'Cancel my appointment',
    confirmCancel: 'Yes, cancel my appointment',
    forget: 'Forget my appointment on this device',
    moved: 'Your appointment is moved',
    cancelled: 'Your appointment is cancelled',
    forgotten: 'This device has forgotten your appointment',
    open: 'Open my appointment',
    manage: 'Manage my appointment',
    status: 'Cancelled',
  },
} as const;

describe('managing an appointment in a real browser', { skip: browserSkipReason() }, () => {
  let server: BrowserServer;
  before(async () => {
    server = await startBrowserServer();
  });
  after(async () => {
    await server?.close();
  });

  /** Books as the pages would, then delivers the outbox to the `.eml` files the test reads. */
  async function bookedWithEmail(email: string, lang: 'fr' | 'en') {
    const applicant = {
      surname: 'Camara',
      givenNames: 'Mariama',
      birthDate: '1992-05-17',
      nationality: 'GIN',
      email,
      passportNumber: `GN${lang.toUpperCase()}765432`,
    };
    const { confirmation } = await bookSlot(server.ctx, {
      slotId: await latestOpenSlot(server),
      applicant,
      emailProof: await knownEmailProof(server.ctx, email),
      language: lang,
    });
    await deliverOutbox(server);
    const link = await managementLinkIn(server, email);
    assert.ok(link, 'the confirmation email carries the management link');
    return { token: confirmation.managementToken, reference: confirmation.appointment.reference, link };
  }

  for (const lang of ['fr', 'en'] as const) {
    const text = TEXT[lang];
    it(`opens the emailed link, prints, moves and cancels the appointment, every page accessible (${lang})`, async () => {
      const email = `e2e.manage.${lang}@example.org`;
      const { token, reference, link } = await bookedWithEmail(email, lang);
      assert.ok(decodeURIComponent(link).endsWith(token));
      const page = await openPage(server.baseUrl, link, { lang, mobile: true });
      try {
        assert.equal(
          new URL(page.url()).pathname + new URL(page.url()).search,
          '/manage',
          'the token left the address at once',
        );
        assert.equal(await page.locator('h1').innerText(), text.appointment);
        assert.match(await page.locator('main').innerText(), new RegExp(reference));
        await expectNoAxeViolations(page, `appointment (${lang})`);
        await screenshot(page, `manage-${lang}-1-appointment`);

        await page.getByRole('link', { name: text.print }).click();
        await page.waitForURL(/\/manage\/convocation$/);
        assert.match(await page.locator('.creneau-short-code').innerText(), new RegExp(reference));
        await expectNoAxeViolations(page, `convocation (${lang})`);
        await screenshot(page, `manage-${lang}-2-convocation`);

        await page.goto('/manage');
        await page.getByRole('link', { name: text.move }).click();
        await page.waitForURL(/\/manage\/reschedule$/);
        await expectNoAxeViolations(page, `reschedule (${lang})`);
        await screenshot(page, `manage-${lang}-3-reschedule`);
        await chooseRadio(page, 'slot');
        await waitForProofOfWork(page);
        await page.getByRole('button', { name: text.chooseAndSend }).click();
        await page.waitForURL(/\/manage\/reschedule\/code$/);
        await expectNoAxeViolations(page, `reschedule code (${lang})`);
        await screenshot(page, `manage-${lang}-4-reschedule-code`);
        await page.fill('#code', await server.mails.codeFor(email));
        await waitForProofOfWork(page);
        await page.getByRole('button', { name: text.move }).click();
        await page.waitForURL(/\/manage\?done=rescheduled$/);
        assert.match(await page.locator('[role="status"]').innerText(), new RegExp(text.moved));
        await expectNoAxeViolations(page, `rescheduled (${lang})`);
        await screenshot(page, `manage-${lang}-5-rescheduled`);

        await page.getByRole('link', { name: text.cancel }).click();
        await page.waitForURL(/\/manage\/cancel$/);
        await expectNoAxeViolations(page, `cancel question (${lang})`);
        await screenshot(page, `manage-${lang}-6-cancel`);
        await page.getByRole('button', { name: text.confirmCancel }).click();
        await page.waitForURL(/\/manage\?done=cancelled$/);
        assert.match(await page.locator('[role="status"]').innerText(), new RegExp(text.cancelled));
        assert.match(await page.locator('main').innerText(), new RegExp(text.status, 'i'));
        await expectNoAxeViolations(page, `cancelled (${lang})`);
        await screenshot(page, `manage-${lang}-7-cancelled`);

        await page.getByRole('button', { name: text.forget }).click();
        await page.waitForURL(/\/manage\?done=forgotten$/);
        assert.match(await page.locator('[role="status"]').innerText(), new RegExp(text.forgotten));
        assert.equal(await page.locator('h1').innerText(), text.manage);
        await expectNoAxeViolations(page, `token form (${lang})`);
        await screenshot(page, `manage-${lang}-8-forgotten`);
      } finally {
        await page.context().close();
      }
    });
  }

  it('opens an appointment from the token typed with the keyboard alone, and explains a wrong one', async () => {
    const { token, reference } = await bookedWithEmail('keyboard.manage@example.org', 'fr');
    const page = await openPage(server.baseUrl, '/manage', { lang: 'en' });
    try {
      assert.ok(await tabTo(page, 'token'));
      await page.keyboard.type('not a token');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/manage\/open$/);
      assert.equal(await page.locator('#token').getAttribute('aria-describedby'), 'token-error');
      await expectNoAxeViolations(page, 'token form with an error');
      await screenshot(page, 'manage-en-token-error');

      assert.ok(await tabTo(page, 'token'));
      await page.keyboard.type(token);
      await page.keyboard.press('Tab');
      assert.equal(await focused(page), TEXT.en.open);
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/manage$/);
      assert.equal(await page.locator('h1').innerText(), TEXT.en.appointment);
      assert.match(await page.locator('main').innerText(), new RegExp(reference));
    } finally {
      await page.context().close();
    }
  });
});
