// Small shared pieces: the time filter, the live-update note, incident list items, messages.
import type { Incident } from '../api.js';
import type { DataState } from '../use-data.js';
import { POLL_MS } from '../use-data.js';
import { href } from '../router.js';
import { KIND_WORDS, countryName, durationOf, networksText, stamp, pct } from '../format.js';

export const RANGE_CHOICES: Array<[string, string]> = [['6h', '6 hours'], ['24h', '24 hours'], ['3d', '3 days'], ['7d', '7 days'], ['30d', '30 days'], ['all', 'All']];

export function TimeFilter({ parts, query, current, label = 'Time range' }: { parts: string[]; query: Record<string, string | undefined>; current: string; label?: string }) {
  return (
    <nav class="timefilter" aria-label={label}>
      <span class="muted">Period ending at the newest data:</span>
      <ul>
        {RANGE_CHOICES.map(([k, words]) => (
          <li key={k}>
            <a href={href(parts, { ...query, range: k, since: undefined, until: undefined, at: undefined })} aria-current={current === k ? 'true' : undefined}>{words}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function LiveNote<T>({ state }: { state: DataState<T> }) {
  if (state.error) return <p class="live error" role="status">Could not refresh: {state.error}</p>;
  return (
    <p class="live" role="status" aria-live="polite">
      <span class="dot" aria-hidden="true" /> Live — {state.updatedAt ? `updated ${new Date(state.updatedAt).toISOString().slice(11, 19)} UTC` : 'loading'}, refreshes every {POLL_MS / 1000} s
    </p>
  );
}

export function StatusBadge({ inc }: { inc: Incident }) {
  return <span class={`badge ${inc.status}`}>{inc.status === 'ongoing' ? 'Ongoing' : 'Resolved'}</span>;
}

export function IncidentItem({ inc }: { inc: Incident }) {
  return (
    <li class={`incident ${inc.status}`}>
      <div class="incident-head">
        <StatusBadge inc={inc} />
        <span class="badge kind">{KIND_WORDS[inc.kind] ?? inc.kind}</span>
        <a class="headline" href={href(['incident', inc.id])}>{inc.summary}</a>
      </div>
      <div class="meta">
        <a href={href(['country', inc.cc])}>{countryName(inc.cc)}</a> · {networksText(inc)} · started {stamp(inc.start)} UTC · {inc.end ? durationOf(inc) : `${durationOf(inc)} so far`}
        {inc.layers.length > 0 && ` · at ${inc.layers.join(', ').toUpperCase()}`} · confidence {pct(inc.confidence)}
      </div>
    </li>
  );
}

export function Message({ state, what }: { state: DataState<unknown>; what: string }) {
  if (state.loading && !state.data) return <p class="muted" role="status">Loading {what}…</p>;
  if (state.error && !state.data) return <p class="error" role="alert">Could not load {what}: {state.error}</p>;
  return null;
}
