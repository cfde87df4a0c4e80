// Country names in English and a representative UTC offset zone for local times in reports.
// Intl.DisplayNames gives the names from Node's ICU data; the zone table covers countries whose
// shutdowns are documented and falls back to UTC elsewhere.
const names = new Intl.DisplayNames(['en'], { type: 'region' });

export function countryName(cc: string): string {
  if (!/^[A-Z]{2}$/.test(cc) || cc === 'ZZ') return cc === 'ZZ' ? 'an unknown country' : cc;
  try {
    return names.of(cc) ?? cc;
  } catch {
    return cc;
  }
}

export const COUNTRY_TIMEZONE: Record<string, string> = {
  VE: 'America/Caracas', IR: 'Asia/Tehran', RU: 'Europe/Moscow', CN: 'Asia/Shanghai', TR: 'Europe/Istanbul',
  EG: 'Africa/Cairo', SD: 'Africa/Khartoum', ET: 'Africa/Addis_Ababa', MM: 'Asia/Yangon', IN: 'Asia/Kolkata',
  PK: 'Asia/Karachi', IQ: 'Asia/Baghdad', SY: 'Asia/Damascus', BY: 'Europe/Minsk', KZ: 'Asia/Almaty',
  UG: 'Africa/Kampala', NG: 'Africa/Lagos', CU: 'America/Havana', NI: 'America/Managua', BR: 'America/Sao_Paulo',
  US: 'America/New_York', DE: 'Europe/Berlin', IT: 'Europe/Rome', NL: 'Europe/Amsterdam', GB: 'Europe/London',
  ID: 'Asia/Jakarta', TM: 'Asia/Ashgabat', AM: 'Asia/Yerevan', JP: 'Asia/Tokyo', IE: 'Europe/Dublin',
  TH: 'Asia/Bangkok', BD: 'Asia/Dhaka', ZW: 'Africa/Harare', TZ: 'Africa/Dar_es_Salaam', CM: 'Africa/Douala',
  AF: 'Asia/Kabul', SN: 'Africa/Dakar', GN: 'Africa/Conakry', TG: 'Africa/Lome', KE: 'Africa/Nairobi',
};

export function countryTimezone(cc: string): string {
  return COUNTRY_TIMEZONE[cc] ?? 'UTC';
}
