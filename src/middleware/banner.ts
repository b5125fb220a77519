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
 * An escaped HTML snippet with one paragraph for each part of the site closed now (`ctx.state.maintenance.closed`:
 * `Checkout is closed for maintenance until Thursday 3 December, 22:00 UTC.`) and one for a scheduled window
 * during its notice time (`upcoming`): `<p class="maintenance-banner" role="status" lang="en">Scheduled
 * maintenance on Thursday 3 December, 22:00–23:00 UTC.</p>`; `''` when there is nothing to announce.
 * `views/banner.pug` does the same for Pug layouts.
 */
export function maintenanceBanner(state: MaintenanceState | undefined, options: BannerOptions = {}): string {
  const notices = [...(state?.closed ?? []), ...(state?.upcoming ? [state.upcoming] : [])];
  if (notices.length === 0) return '';
  const lang = languageOf(options.lang);
  return notices.map((notice) => `<p class="maintenance-banner" role="status" lang="${lang}">${escapeHtml(notice.announcement[lang])}</p>`).join('');
}
