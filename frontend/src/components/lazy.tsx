// A page whose code is loaded when first shown (Vite splits the dynamic
// import into its own file). A failed download says so and can be retried.

import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

import { NetworkError } from '../api/client';
import type { Params } from '../router';
import { ErrorMessage, Loading } from './feedback';

type Page = ComponentType<{ params: Params }>;

export function lazyPage<M>(load: () => Promise<M>, pick: (module: M) => Page): Page {
  let cached: Page | null = null;
  return function LazyPage({ params }: { params: Params }) {
    const [page, setPage] = useState<Page | null>(() => cached);
    const [error, setError] = useState<unknown>(null);
    const [attempt, setAttempt] = useState(0);
    useEffect(() => {
      if (cached) return;
      let live = true;
      load().then(
        (module) => {
          cached = pick(module);
          if (live) setPage(() => cached);
        },
        (e) => live && setError(new NetworkError(e)),
      );
      return () => {
        live = false;
      };
    }, [attempt]);
    if (error !== null) {
      return (
        <ErrorMessage
          error={error}
          retry={() => {
            setError(null);
            setAttempt((n) => n + 1);
          }}
        />
      );
    }
    if (!page) return <Loading />;
    const Loaded = page;
    return <Loaded params={params} />;
  };
}
