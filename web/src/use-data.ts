// Loads data for a view and keeps it live: re-fetches every `pollMs` while the tab is visible
// (issue 6: updates without a reload), keeping what is shown until the new answer arrives.
import { useEffect, useRef, useState } from 'preact/hooks';

export interface DataState<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  updatedAt: number | null;
}

/** Refresh period: 15 s, or `?poll=MS` in the page URL (at least 1000; the browser tests use it). */
export const POLL_MS = (() => {
  const v = Number(new URLSearchParams(location.search).get('poll'));
  return Number.isFinite(v) && v >= 1000 ? Math.floor(v) : 15_000;
})();

export function useData<T>(load: (signal: AbortSignal) => Promise<T>, key: string, pollMs: number | null = POLL_MS): DataState<T> {
  const [state, setState] = useState<DataState<T>>({ data: null, error: null, loading: true, updatedAt: null });
  const last = useRef<string>('');
  useEffect(() => {
    let ctl = new AbortController();
    let alive = true;
    last.current = '';
    setState({ data: null, error: null, loading: true, updatedAt: null });
    const run = async () => {
      ctl = new AbortController();
      try {
        const d = await load(ctl.signal);
        if (!alive) return;
        const s = JSON.stringify(d);
        // Same answer: only the timestamp moves, the page does not re-render its charts.
        if (s === last.current) setState((p) => ({ ...p, loading: false, error: null, updatedAt: Date.now() }));
        else {
          last.current = s;
          setState({ data: d, error: null, loading: false, updatedAt: Date.now() });
        }
      } catch (e) {
        if (!alive || (e as Error).name === 'AbortError') return;
        setState((p) => ({ ...p, loading: false, error: (e as Error).message }));
      }
    };
    void run();
    const timer = pollMs ? setInterval(() => { if (document.visibilityState === 'visible') void run(); }, pollMs) : null;
    return () => {
      alive = false;
      ctl.abort();
      if (timer) clearInterval(timer);
    };
  }, [key]);
  return state;
}
