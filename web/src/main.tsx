// The Vigil dashboard: a Preact app with hash routes, served by the collector at `/`.
//   #/                      overview          #/country/CC            country
//   #/incident/ID           incident          #/measurement/UID       measurement
//   #/search?cc&asn&…       search
import { render } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useRoute } from './router.js';
import { Overview } from './pages/Overview.js';
import { Country } from './pages/Country.js';
import { Incident } from './pages/Incident.js';
import { Measurement } from './pages/Measurement.js';
import { Search } from './pages/Search.js';
import './style.css';

function Page() {
  const route = useRoute();
  const [head] = route.parts;
  switch (head) {
    case undefined: return <Overview route={route} />;
    case 'country': return <Country route={route} />;
    case 'incident': return <Incident route={route} />;
    case 'measurement': return <Measurement route={route} />;
    case 'search': return <Search route={route} />;
    default: return <><h1>Not found</h1><p>No page here. <a href="#/">Go to the overview</a>.</p></>;
  }
}

function App() {
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const path = route.parts.join('/');
  // A new page moves focus to the main region (screen readers announce it; Tab starts there).
  useEffect(() => {
    if (main.current && document.activeElement !== document.body) main.current.focus({ preventScroll: true });
    document.title = `Vigil — ${route.parts[0] ?? 'overview'}`;
  }, [path]);
  const cur = (p: string) => ((route.parts[0] ?? '') === p ? 'page' : undefined);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); main.current?.focus(); }}>Skip to content</a>
      <header class="top">
        <a class="brand" href="#/">Vigil</a>
        <nav aria-label="Main">
          <a href="#/" aria-current={cur('')}>Overview</a>
          <a href="#/search" aria-current={cur('search')}>Search</a>
          <a href="/feed.atom" type="application/atom+xml">Feed</a>
        </nav>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Page />
      </main>
      <footer class="foot">Vigil, an open internet-disruption observatory. Data via <a href="/api/v1/incidents">the API</a> and <a href="/feed.atom">the Atom feed</a>.</footer>
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
