// The one i18next instance of Créneau: pages, errors and emails, in French (the default)
// and English. Each namespace is a JSON file, src/i18n/locales/<language>/<namespace>.json,
// loaded at start (a missing key falls back to French, then shows the key — a test checks
// that both languages hold the same keys, so that never happens in production).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import i18next, { type i18n as I18n, type Resource, type TFunction } from 'i18next';
import { LanguageDetector } from 'i18next-http-middleware';

import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../domain/language.ts';

export { DEFAULT_LANGUAGE, LANGUAGES, type Language };

/** The cookie that remembers the chosen language. */
export const LANGUAGE_COOKIE = 'lang';

const LOCALES = new URL('./locales/', import.meta.url).pathname;

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** Every namespace file of every language, read from disk once. */
export function loadResources(): Resource {
  const resources: Resource = {};
  for (const language of LANGUAGES) {
    resources[language] = {};
    for (const file of readdirSync(join(LOCALES, language)).filter((f) => f.endsWith('.json'))) {
      resources[language]![file.slice(0, -'.json'.length)] = JSON.parse(
        readFileSync(join(LOCALES, language, file), 'utf8'),
      );
    }
  }
  return resources;
}

function createI18n(): I18n {
  const instance = i18next.createInstance();
  const resources = loadResources();
  instance.use(LanguageDetector).init({
    resources,
    ns: Object.keys(resources[DEFAULT_LANGUAGE] ?? {}),
    defaultNS: 'common',
    supportedLngs: [...LANGUAGES],
    fallbackLng: DEFAULT_LANGUAGE,
    nonExplicitSupportedLngs: true,
    load: 'languageOnly',
    initAsync: false,
    // Templates escape what they print; i18next must not escape twice.
    interpolation: { escapeValue: false },
    returnNull: false,
    detection: {
      // ?lang=en from the language switch, then the remembered choice, then the browser.
      order: ['querystring', 'cookie', 'header'],
      lookupQuerystring: 'lang',
      lookupCookie: LANGUAGE_COOKIE,
      // Written by http/web/language-cookie.ts, with the Secure flag of the server.
      caches: [],
    },
  });
  return instance;
}

export const i18n: I18n = createI18n();

/** A translation function fixed to one language, e.g. for an email in the applicant's language. */
export function translator(language: Language, namespace?: string): TFunction {
  return i18n.getFixedT(language, namespace ?? null);
}
