// Times as people read them: relative ("5 min ago") for recent ones, a date
// otherwise, always in the viewer's own time zone and language.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function relativeTime(iso: string, now: number, locale: string): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const delta = then - now;
  const abs = Math.abs(delta);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
  if (abs < MINUTE) return format.format(0, 'second');
  if (abs < HOUR) return format.format(Math.round(delta / MINUTE), 'minute');
  if (abs < DAY) return format.format(Math.round(delta / HOUR), 'hour');
  if (abs < 7 * DAY) return format.format(Math.round(delta / DAY), 'day');
  const sameYear = new Date(then).getFullYear() === new Date(now).getFullYear();
  return new Intl.DateTimeFormat(locale, {
    day: 'numeric',
    month: 'short',
    year: sameYear ? undefined : 'numeric',
  }).format(then);
}

/** The full date and time, for tooltips and `<time title>`. */
export function absoluteTime(iso: string, locale: string, timeZone?: string): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone }).format(then);
}
