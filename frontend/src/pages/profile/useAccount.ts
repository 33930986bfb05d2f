// The account a `/web/@acct…` page is about, found by its handle.

import { useCallback, useEffect, useState } from 'preact/hooks';

import { accounts } from '../../api/accounts';
import type { Account } from '../../api/types';
import { useSession } from '../../session';

export type AccountState =
  | { kind: 'loading' }
  | { kind: 'error'; error: unknown; retry: () => void }
  | { kind: 'ready'; account: Account; replace: (account: Account) => void };

export function useAccount(acct: string): AccountState {
  const { client, instance } = useSession();
  const [account, setAccount] = useState<Account | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    setAccount(null);
    setError(null);
    accounts.find(client, acct, instance.domain).then(
      (found) => live && setAccount(found),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [client, acct, instance.domain, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  if (error !== null) return { kind: 'error', error, retry };
  if (!account) return { kind: 'loading' };
  return { kind: 'ready', account, replace: setAccount };
}

/** `@user@domain` in full: local accounts' `acct` has no domain. */
export function fullHandle(account: Pick<Account, 'acct'>, localDomain: string): string {
  return account.acct.includes('@') ? `@${account.acct}` : `@${account.acct}@${localDomain}`;
}
