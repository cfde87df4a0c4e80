// World map (world-atlas 110m, Natural Earth projection) shaded by incidents in the chosen window:
// ongoing ones darkest, resolved ones lighter, countries with measurements but no incident
// green, the rest grey. Every shaded country is a link to its page (keyboard-focusable).
import { feature } from 'topojson-client';
import { geoNaturalEarth1, geoPath } from 'd3-geo';
import type { Topology, GeometryCollection } from 'topojson-specification';
import type { FeatureCollection, Geometry } from 'geojson';
import world from 'world-atlas/countries-110m.json' with { type: 'json' };
import { alpha2Of } from '../iso-numeric.js';
import { countryName } from '../format.js';
import { href } from '../router.js';

const W = 960;
const H = 470;

interface Shape { cc: string | null; name: string; d: string }
let shapes: Shape[] | null = null;
let sphere = '';

/** Projected paths, computed once: the topology never changes. */
function getShapes(): Shape[] {
  if (shapes) return shapes;
  const topo = world as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
  const fc = feature(topo, topo.objects.countries) as unknown as FeatureCollection<Geometry, { name: string }>;
  const projection = geoNaturalEarth1().fitExtent([[4, 4], [W - 4, H - 4]], { type: 'Sphere' });
  const path = geoPath(projection);
  sphere = path({ type: 'Sphere' }) ?? '';
  shapes = fc.features
    .filter((f) => f.properties.name !== 'Antarctica')
    .map((f) => ({ cc: alpha2Of(f.id as string | undefined, f.properties.name), name: f.properties.name, d: path(f) ?? '' }));
  return shapes;
}

export type MapState = 'ongoing' | 'recent' | 'measured';

export const MAP_COLORS: Record<MapState | 'none', string> = {
  ongoing: '#b3261e',
  recent: '#f0a04b',
  measured: '#7fb98c',
  none: '#dde1e6',
};

const STATE_WORDS: Record<MapState, string> = { ongoing: 'ongoing incident', recent: 'incident in this period', measured: 'measured, no incident' };

export function WorldMap({ states, counts }: { states: Map<string, MapState>; counts: Map<string, number> }) {
  const all = getShapes();
  return (
    <figure class="map">
      <svg viewBox={`0 0 ${W} ${H}`} role="group" aria-label="World map of incidents by country">
        <path d={sphere} fill="#f4f8fb" stroke="#c9d3dc" />
        {all.map((s) => {
          const st = s.cc ? states.get(s.cc) : undefined;
          const fill = MAP_COLORS[st ?? 'none'];
          const label = `${s.cc ? countryName(s.cc) : s.name}${st ? `: ${STATE_WORDS[st]}` : ''}${s.cc && counts.get(s.cc) ? ` (${counts.get(s.cc)} incident${counts.get(s.cc) === 1 ? '' : 's'})` : ''}`;
          if (!st || !s.cc) return <path key={s.name} d={s.d} fill={fill} stroke="#fff" stroke-width="0.5"><title>{label}</title></path>;
          return (
            <a key={s.name} href={href(['country', s.cc])} aria-label={label} class={`map-country ${st}`}>
              <path d={s.d} fill={fill} stroke="#fff" stroke-width="0.6"><title>{label}</title></path>
            </a>
          );
        })}
      </svg>
      <figcaption class="legend">
        {(['ongoing', 'recent', 'measured'] as MapState[]).map((k) => (
          <span key={k}><i style={{ background: MAP_COLORS[k] }} aria-hidden="true" /> {STATE_WORDS[k]}</span>
        ))}
      </figcaption>
    </figure>
  );
}
