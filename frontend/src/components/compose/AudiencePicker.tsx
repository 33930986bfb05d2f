// Who a post reaches: the audience chooser and, always in view, whether the
// post leaves the company and whether a reviewer sees it first.

import { AUDIENCES, type Audience, type AudienceInfo } from '../../audience';
import { type MessageKey, t } from '../../i18n';
import { AUDIENCE_LABEL } from '../Status';
import { Icon } from '../icons';

const DESCRIPTION: Record<Audience, MessageKey> = {
  company: 'compose.describe_company',
  public: 'compose.describe_public',
  unlisted: 'compose.describe_unlisted',
  followers: 'compose.describe_followers',
  direct: 'compose.describe_direct',
};

/** The sentence saying where the post goes. */
export function reachText(audience: Audience, info: AudienceInfo, title: string): string {
  if (info.reach === 'external') {
    if (audience === 'followers') return t('compose.reach_external_followers');
    if (audience === 'direct') return t('compose.reach_external_direct');
    return t('compose.reach_external');
  }
  if (audience === 'followers') return t('compose.reach_internal_followers', { title });
  if (audience === 'direct') return t('compose.reach_internal_direct', { title });
  return t('compose.reach_company', { title });
}

/** The reach and review markers; announced when they change (a remote mention typed). */
export function ReachNotice({ id, audience, info, title }: { id: string; audience: Audience; info: AudienceInfo; title: string }) {
  return (
    <div id={id} class="reach" aria-live="polite">
      <p class={`reach-line reach-${info.reach}`}>
        <Icon name={info.reach === 'external' ? 'globe' : 'company'} size={18} />
        {reachText(audience, info, title)}
      </p>
      {info.reviewed && (
        <p class="reach-line reach-reviewed">
          <Icon name="shield" size={18} />
          {t('compose.reviewed')}
        </p>
      )}
    </div>
  );
}

interface PickerProps {
  id: string;
  value: Audience;
  onChange: (audience: Audience) => void;
  info: AudienceInfo;
  title: string;
  disabled?: boolean;
}

/** A select (compact on phones) with the chosen audience described below it. */
export function AudiencePicker({ id, value, onChange, info, title, disabled }: PickerProps) {
  return (
    <div class="audience-picker">
      <div class="audience-choice">
        <label for={id}>{t('compose.audience')}</label>
        <select
          id={id}
          value={value}
          disabled={disabled}
          aria-describedby={`${id}-description ${id}-reach`}
          onChange={(event) => onChange(event.currentTarget.value as Audience)}
        >
          {AUDIENCES.map((audience) => (
            <option key={audience} value={audience}>
              {t(AUDIENCE_LABEL[audience])}
            </option>
          ))}
        </select>
        <span id={`${id}-description`} class="audience-description">
          {t(DESCRIPTION[value], { title })}
        </span>
      </div>
      <ReachNotice id={`${id}-reach`} audience={value} info={info} title={title} />
    </div>
  );
}

/** The audience of a post being edited: shown, not chosen. */
export function FixedAudience({ id, value, info, title }: Omit<PickerProps, 'onChange' | 'disabled'>) {
  return (
    <div class="audience-picker">
      <p class="audience-fixed">
        {t('compose.audience_fixed', { audience: t(AUDIENCE_LABEL[value]) })}
      </p>
      <ReachNotice id={`${id}-reach`} audience={value} info={info} title={title} />
    </div>
  );
}
