/** The words everyone sees unless the flag's variant payload (or, for the page, `locals`) says otherwise. */
export const DEFAULT_TEXTS = Object.freeze({
  title: 'Down for maintenance',
  message: 'We are making some improvements and will be back shortly. Thank you for your patience.',
});

const untilFormat = new Intl.DateTimeFormat('en', { dateStyle: 'full', timeStyle: 'short', timeZone: 'UTC' });

/** `Wednesday, November 25, 2026 at 9:00 PM UTC`: unambiguous for a reader anywhere. */
export function formatUntil(until: Date): string {
  return `${untilFormat.format(until)} UTC`;
}
