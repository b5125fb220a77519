import type { MaintenanceState } from '../flag/state.js';
import { isShippedLanguage, type Language } from './locales.js';

export interface BannerOptions {
  /** The page's language (`de`, `de-CH`, …); a language not shipped falls back to English. Default `'en'`. */
  lang?: string;
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);

function languageOf(lang: string | undefined): Language {
  const primary = lang?.split('-', 1)[0]?.toLowerCase();
  return isShippedLanguage(primary) ? primary : 'en';
}

/**
 * An escaped HTML snippet announcing the scheduled window in `ctx.state.maintenance` during its notice time,
 * `<p class="maintenance-banner" role="status" lang="en">Scheduled maintenance on Thursday 3 December,
 * 22:00–23:00 UTC.</p>`, or `''` when nothing is upcoming. `views/banner.pug` does the same for Pug layouts.
 */
export function maintenanceBanner(state: MaintenanceState | undefined, options: BannerOptions = {}): string {
  const upcoming = state?.upcoming;
  if (!upcoming) return '';
  const lang = languageOf(options.lang);
  return `<p class="maintenance-banner" role="status" lang="${lang}">${escapeHtml(upcoming.announcement[lang])}</p>`;
}
