// National settings (table app_setting; ports/configuration/settings.ts).
import type { SettingsRepository } from '../../../ports/configuration/settings.ts';
import type { Executor } from '../kysely-helpers.ts';

const EMAIL_CAP = 'max_active_appointments_per_email';

export function settingsRepository(db: Executor): SettingsRepository {
  return {
    async emailCap() {
      const r = await db.selectFrom('app_setting').select('value').where('name', '=', EMAIL_CAP).executeTakeFirst();
      return r?.value ?? 2;
    },
    async setEmailCap(value, now) {
      await db.updateTable('app_setting').set({ value, edited_at: now }).where('name', '=', EMAIL_CAP).execute();
    },
  };
}
