// Steps the page journeys share in a real browser: radio buttons (DSFR draws its own, the
// label takes the click), the proof-of-work widget's solution, the keyboard's focus.
import type { Page } from 'playwright-core';

/** Checks a DSFR radio button (or checkbox) by its id, as a person clicks its label. */
export async function chooseRadio(page: Page, id: string): Promise<void> {
  await page.locator(`label[for="${id}"]`).click();
}

/** Waits until the ALTCHA widget has put its solution in the form. */
export async function waitForProofOfWork(page: Page): Promise<void> {
  await page.waitForFunction(() => Boolean((document.querySelector('input[name="altcha"]') as HTMLInputElement | null)?.value), undefined, { timeout: 20_000 });
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
