import type { Context } from 'koa';
import type { AnswerMode } from '../flag/state.js';
import { optionError } from '../option-error.js';

/** The languages the bundled texts are written in. */
export type Language = 'en' | 'de' | 'fr' | 'es';

/** The default words of one language for one mode; the variant payload's `title` and `message` win over them. */
export interface LocalizedTexts {
  readonly lang: Language;
  readonly mode: AnswerMode;
  readonly title: string;
  readonly message: string;
  /** Precedes the end time: `Expected back by` + ` Wednesday, November 25, 2026 at 9:00 PM UTC.` */
  readonly untilPrefix: string;
}

type Words = Omit<LocalizedTexts, 'lang' | 'mode'>;

const WORDS: Readonly<Record<Language, Readonly<Record<AnswerMode, Words>>>> = {
  en: {
    block: {
      title: 'Down for maintenance',
      message: 'We are making some improvements and will be back shortly. Thank you for your patience.',
      untilPrefix: 'Expected back by',
    },
    'read-only': {
      title: 'Read-only during maintenance',
      message: 'We are doing some maintenance, so the site is read-only for now: you can look around, but changes cannot be saved. Please try again shortly.',
      untilPrefix: 'Changes expected to work again by',
    },
  },
  de: {
    block: {
      title: 'Wartungsarbeiten',
      message: 'Wir nehmen gerade einige Verbesserungen vor und sind in Kürze wieder für Sie da. Vielen Dank für Ihre Geduld.',
      untilPrefix: 'Voraussichtlich wieder erreichbar ab',
    },
    'read-only': {
      title: 'Wegen Wartungsarbeiten nur lesbar',
      message: 'Wegen Wartungsarbeiten ist die Website vorübergehend schreibgeschützt: Sie können sich weiter umsehen, aber Änderungen lassen sich gerade nicht speichern. Bitte versuchen Sie es in Kürze erneut.',
      untilPrefix: 'Änderungen voraussichtlich wieder möglich ab',
    },
  },
  fr: {
    block: {
      title: 'Maintenance en cours',
      message: 'Nous effectuons quelques améliorations et serons de retour très bientôt. Merci de votre patience.',
      untilPrefix: 'Retour prévu le',
    },
    'read-only': {
      title: 'Site en lecture seule pour maintenance',
      message: 'Une maintenance est en cours : le site est momentanément en lecture seule. Vous pouvez continuer à le consulter, mais les modifications ne peuvent pas être enregistrées pour l’instant. Merci de réessayer dans quelques instants.',
      untilPrefix: 'Retour à la normale prévu le',
    },
  },
  es: {
    block: {
      title: 'En mantenimiento',
      message: 'Estamos haciendo algunas mejoras y volveremos enseguida. Gracias por tu paciencia.',
      untilPrefix: 'Volveremos previsiblemente el',
    },
    'read-only': {
      title: 'Solo lectura por mantenimiento',
      message: 'Estamos haciendo tareas de mantenimiento y, por ahora, el sitio está en modo de solo lectura: puedes seguir navegando, pero no es posible guardar cambios. Vuelve a intentarlo en unos minutos.',
      untilPrefix: 'Prevemos volver a la normalidad el',
    },
  },
};

/** Every shipped language, English first: the default of the `languages` option. */
export const SHIPPED_LANGUAGES: readonly Language[] = Object.freeze(Object.keys(WORDS) as Language[]);

const localized = (lang: Language, mode: AnswerMode): LocalizedTexts => Object.freeze({ lang, mode, ...WORDS[lang][mode] });
const TEXTS = Object.fromEntries(SHIPPED_LANGUAGES.map((lang) => [lang, {
  block: localized(lang, 'block'),
  'read-only': localized(lang, 'read-only'),
}])) as Record<Language, Record<AnswerMode, LocalizedTexts>>;
const UNTIL_FORMATS = Object.fromEntries(SHIPPED_LANGUAGES.map((lang) => [
  lang, new Intl.DateTimeFormat(lang, { dateStyle: 'full', timeStyle: 'short', timeZone: 'UTC' }),
])) as Record<Language, Intl.DateTimeFormat>;

/** The default texts of `lang` for `mode`: one frozen object per pair, built at load, looked up per answer. */
export function localizedTexts(lang: Language, mode: AnswerMode): LocalizedTexts {
  return TEXTS[lang][mode];
}

/** The end of a window in `lang`, in UTC, e.g. `Mittwoch, 25. November 2026 um 21:00 UTC`. */
export function formatUntilIn(lang: Language, until: Date): string {
  return `${UNTIL_FORMATS[lang].format(until)} UTC`;
}

/** Chooses the language of one answer. */
export type LanguagePicker = (ctx: Context) => Language;

/** Whether answers depend on `Accept-Language` (more than one language offered), for `Vary`. */
export const variesByLanguage = (languages: readonly Language[]): boolean => languages.length > 1;

/** Checks the `languages` option: shipped languages, the first being the fallback. Default: all, English first. */
export function checkLanguages(option: unknown): readonly Language[] {
  if (!Array.isArray(option) || option.length === 0) throw optionError('languages', option, `is not a non-empty array of shipped languages (${SHIPPED_LANGUAGES.join(', ')})`);
  option.forEach((lang: unknown, index) => {
    if (!SHIPPED_LANGUAGES.includes(lang as Language)) {
      throw optionError(`languages[${index}]`, lang, `is not a shipped language (${SHIPPED_LANGUAGES.join(', ')})`);
    }
  });
  return Object.freeze([...new Set(option as Language[])]);
}

/**
 * Picks among `languages` by `Accept-Language` (`de-CH` finds `de`), falling back to the first one
 * (English by default) when the header names none of them. One language: no negotiation at all.
 */
export function createLanguagePicker(languages: readonly Language[]): LanguagePicker {
  const [fallback] = languages as [Language, ...Language[]];
  if (!variesByLanguage(languages)) return () => fallback;
  const offered = [...languages];
  return (ctx) => (ctx.acceptsLanguages(offered) as Language | false) || fallback;
}

/** Opens the announcement of a scheduled window; the time range follows. */
const ANNOUNCEMENTS: Readonly<Record<Language, string>> = {
  en: 'Scheduled maintenance on',
  de: 'Geplante Wartungsarbeiten am',
  fr: 'Maintenance prévue le',
  es: 'Mantenimiento programado el',
};
/** `en` as in Britain: `Thursday 3 December, 22:00–23:00`, day before month, a 24-hour clock, as the others. */
const WINDOW_FORMATS = Object.fromEntries(SHIPPED_LANGUAGES.map((lang) => [
  lang,
  new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : lang, { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' }),
])) as Record<Language, Intl.DateTimeFormat>;

/** Opens the announcement of a scheduled window of one part of the site, named by `area`. */
const SCOPED_ANNOUNCEMENTS: Readonly<Record<Language, (area: string) => string>> = {
  en: (area) => `Scheduled maintenance of ${area} on`,
  de: (area) => `Geplante Wartungsarbeiten an ${area} am`,
  fr: (area) => `Maintenance de ${area} prévue le`,
  es: (area) => `Mantenimiento programado de ${area} el`,
};

/** Says that one part of the site is closed now, and until when if known. */
const CLOSED_SENTENCES: Readonly<Record<Language, (area: string, until: string | undefined) => string>> = {
  en: (area, until) => `${area} is closed for maintenance${until ? ` until ${until}` : ''}`,
  de: (area, until) => `${area} ist wegen Wartungsarbeiten geschlossen${until ? ` bis ${until}` : ''}`,
  fr: (area, until) => `${area} : fermé pour maintenance${until ? ` jusqu’au ${until}` : ''}`,
  es: (area, until) => `${area}: cerrado por mantenimiento${until ? ` hasta el ${until}` : ''}`,
};

/**
 * `Scheduled maintenance on Thursday 3 December, 22:00–23:00 UTC` in `lang` (open-ended: from its start);
 * `Scheduled maintenance of Checkout on …` for a part of the site named `area`.
 */
export function announcementIn(lang: Language, from: Date, until?: Date, area?: string): string {
  const format = WINDOW_FORMATS[lang];
  const when = until && until > from ? format.formatRange(from, until) : format.format(from);
  return `${area === undefined ? ANNOUNCEMENTS[lang] : SCOPED_ANNOUNCEMENTS[lang](area)} ${when} UTC`;
}

/** `Checkout is closed for maintenance until Thursday 3 December, 22:00 UTC` in `lang`. */
export function closedIn(lang: Language, area: string, until?: Date): string {
  return CLOSED_SENTENCES[lang](area, until ? `${WINDOW_FORMATS[lang].format(until)} UTC` : undefined);
}

export function isShippedLanguage(value: unknown): value is Language {
  return SHIPPED_LANGUAGES.includes(value as Language);
}
