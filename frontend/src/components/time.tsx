import { useEffect, useState } from 'preact/hooks';

import { locale } from '../i18n';
import { absoluteTime, relativeTime } from '../time';

/** "5 min ago", refreshed every minute, with the full date on hover. */
export function RelativeTime({ iso }: { iso: string }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <time dateTime={iso} title={absoluteTime(iso, locale())}>
      {relativeTime(iso, now, locale())}
    </time>
  );
}
