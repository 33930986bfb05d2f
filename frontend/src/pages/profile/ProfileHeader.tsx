// The top of a profile: header image, avatar, names, bio, fields, counts and
// what the viewer can do (follow, or edit their own profile).

import type { Account, Relationship } from '../../api/types';
import { displayName } from '../../components/account';
import { PageTitle } from '../../components/Layout';
import { locale, t, tn } from '../../i18n';
import { Link, profilePath } from '../../router';
import { useSession } from '../../session';
import { safeUrl } from '../../url';
import { FollowButton } from './FollowButton';
import { fullHandle } from './useAccount';

interface Props {
  account: Account;
  relationship: Relationship | null;
  onRelationship: (relationship: Relationship) => void;
}

function joined(iso: string): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  return new Intl.DateTimeFormat(locale(), { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(then);
}

export function ProfileHeader({ account, relationship, onRelationship }: Props) {
  const { me, instance } = useSession();
  const own = account.id === me.id;
  const local = !account.acct.includes('@');
  const base = profilePath(account.acct);
  const requests = me.source.follow_requests_count ?? 0;
  const header = safeUrl(account.header_static) ?? safeUrl(account.header);
  const missingHeader = !header || /\/missing\.png$/.test(header);
  const avatar = safeUrl(account.avatar_static) ?? safeUrl(account.avatar) ?? undefined;

  return (
    <section class="profile-header" aria-labelledby="profile-name">
      <div class={`profile-banner${missingHeader ? ' no-image' : ''}`}>
        {!missingHeader && <img src={header} alt="" />}
      </div>
      <div class="profile-top">
        <img class="avatar profile-avatar" src={avatar} alt="" width={96} height={96} />
        <div class="profile-actions">
          {own ? (
            <>
              <Link class="button" href="/web/settings">
                {t('profile.edit')}
              </Link>
              {(account.locked || requests > 0) && (
                <Link class="button" href="/web/follow_requests">
                  {tn('profile.requests_count', requests)}
                </Link>
              )}
            </>
          ) : (
            <FollowButton account={account} relationship={relationship} onChange={onRelationship} />
          )}
        </div>
      </div>
      <div id="profile-name">
        <PageTitle>{displayName(account)}</PageTitle>
      </div>
      <p class="profile-handle">
        <span class="handle">{fullHandle(account, instance.domain)}</span>
        {account.locked && (
          <span class="badge" title={t('profile.locked_hint')}>
            {t('profile.locked')}
          </span>
        )}
        {account.bot && <span class="badge">{t('profile.bot')}</span>}
        {!local && <span class="badge external">{t('profile.remote')}</span>}
      </p>
      {account.note && (
        // Server-sanitized HTML (Loggia renders local bios and cleans remote ones).
        <div class="profile-note content" dangerouslySetInnerHTML={{ __html: account.note }} />
      )}
      {account.fields.length > 0 && (
        <dl class="profile-fields">
          {account.fields.map((field, i) => (
            <div key={i} class={field.verified_at ? 'verified' : ''}>
              <dt>{field.name}</dt>
              {/* Safe as HTML: Loggia escapes and links local values itself and
                  sanitizes other servers' with its allow-list before sending them. */}
              <dd dangerouslySetInnerHTML={{ __html: field.value }} />
            </div>
          ))}
        </dl>
      )}
      <p class="profile-joined">{t('profile.joined', { date: joined(account.created_at) })}</p>
      <ul class="profile-counts">
        <li>{tn('profile.posts_count', account.statuses_count)}</li>
        <li>
          <Link href={`${base}/following`}>{tn('profile.following_count', account.following_count)}</Link>
        </li>
        <li>
          <Link href={`${base}/followers`}>{tn('profile.followers_count', account.followers_count)}</Link>
        </li>
      </ul>
    </section>
  );
}
