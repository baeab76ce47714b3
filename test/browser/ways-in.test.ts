// The ways in of issue 15 in Chromium, on the demo catalogue, each page accessible (axe-core,
// 0 violations) and photographed: the way back in by reference, birth date and emailed code
// (the new personal link then emailed); the call-back confirmation that repeats the number and
// gives a reference; the public page that checks an attestation.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { bookSlot } from '../../src/app/booking/book-slot.ts';
import { describeInBrowser, expectNoAxeViolations, openPage, screenshot } from '../support/browser.ts';
import { deliverOutbox, latestOpenSlot, managementLinkIn, waitForProofOfWork } from '../support/browser-forms.ts';
import { knownEmailProof } from '../support/scenario.ts';

describeInBrowser('the ways in, in a real browser', (server) => {
  async function booked(email: string) {
    const { confirmation } = await bookSlot(server.ctx, {
      slotId: await latestOpenSlot(server),
      applicant: {
        surname: 'Keïta',
        givenNames: 'Awa',
        birthDate: '1991-03-08',
        nationality: 'MLI',
        email,
        passportNumber: 'ML7654321',
      },
      emailProof: await knownEmailProof(server.ctx, email),
    });
    await deliverOutbox(server);
    return { token: confirmation.managementToken, reference: confirmation.appointment.reference };
  }

  it('opens an appointment with its reference, the birth date and the emailed code, on a phone (fr)', async () => {
    const email = 'e2e.way-back-in@example.org';
    const { token, reference } = await booked(email);
    const page = await openPage(server.baseUrl, '/manage', { lang: 'fr', mobile: true });
    try {
      await page.getByRole('link', { name: 'Retrouver avec mon numéro de référence' }).click();
      await page.waitForURL(/\/manage\/find$/);
      assert.equal(await page.locator('h1').innerText(), 'Retrouver mon rendez-vous ou ma demande');
      await expectNoAxeViolations(page, 'way back in: reference and birth date');
      await page.fill('#reference', reference.toLowerCase().replace(/-/g, ' '));
      await page.fill('#birthDate', '08/03/1991');
      await screenshot(page, 'ways-in-fr-1-find');
      await waitForProofOfWork(page);
      await page.getByRole('button', { name: 'Recevoir un code par courriel' }).click();
      await page.waitForURL(/\/manage\/find$/);
      assert.equal(await page.locator('h1').innerText(), 'Saisissez le code reçu par courriel');
      await expectNoAxeViolations(page, 'way back in: the code');
      await screenshot(page, 'ways-in-fr-2-code');
      await page.fill('#code', await server.mails.codeFor(email));
      await page.getByRole('button', { name: 'Ouvrir mon dossier' }).click();
      await page.waitForURL(/\/manage\?done=found$/);
      assert.match(await page.locator('[role="status"]').innerText(), /Votre rendez-vous est ouvert sur cet appareil/);
      assert.match(await page.locator('main').innerText(), new RegExp(reference));
      await expectNoAxeViolations(page, 'way back in: the appointment opened');
      await screenshot(page, 'ways-in-fr-3-opened');
      // The new personal link is emailed; the old one opens nothing any more.
      await deliverOutbox(server);
      const link = await managementLinkIn(server, email);
      assert.ok(link && !decodeURIComponent(link).endsWith(token), 'a new link, not the old one');
    } finally {
      await page.context().close();
    }
  });

  it('repeats the number of a call-back and gives its reference (en)', async () => {
    const page = await openPage(server.baseUrl, '/contact', { lang: 'en' });
    try {
      await page.selectOption('#prefectureId', '93');
      await page.fill('#phone', '06 98 76 12 34');
      await page.fill('#situation', 'My récépissé expires next month.');
      await page.getByRole('button', { name: 'Ask to be called back' }).click();
      await page.waitForURL(/\/contact\/callback\/sent$/);
      const main = await page.locator('main').innerText();
      assert.match(main, /06 98 76 12 34/);
      assert.match(main, /Reference of your call-back request\s+[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{2}/);
      await expectNoAxeViolations(page, 'call-back confirmation');
      await screenshot(page, 'ways-in-en-callback-sent');
    } finally {
      await page.context().close();
    }
  });

  it('checks an attestation token on a public page, with or without JavaScript (en)', async () => {
    for (const javaScript of [false, true]) {
      const page = await openPage(server.baseUrl, '/attestation/verify', { lang: 'en', javaScript });
      try {
        assert.equal(await page.locator('h1').innerText(), 'Check a certificate of appointment request');
        if (javaScript) await expectNoAxeViolations(page, 'attestation check: the form');
        await page.fill('#token', 'eyJ2IjoxfQ.not-a-signature');
        await page.getByRole('button', { name: 'Check', exact: true }).click();
        await page.locator('#verdict').waitFor({ timeout: 10_000 });
        assert.match(await page.locator('#verdict').innerText(), /Invalid certificate/);
        if (javaScript) {
          await expectNoAxeViolations(page, 'attestation check: invalid');
          await screenshot(page, 'ways-in-en-attestation-invalid');
        }
      } finally {
        await page.context().close();
      }
    }
  });
});
