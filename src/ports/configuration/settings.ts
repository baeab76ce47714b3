// National settings an administrator edits (table app_setting).
export interface SettingsReader {
  emailCap(): Promise<number>;
}

export interface SettingsRepository extends SettingsReader {
  /** Marks the setting edited: the environment no longer overrides it at start-up. */
  setEmailCap(value: number, now: Date): Promise<void>;
}
