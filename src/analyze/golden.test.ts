// Golden verdicts over every file in ../shared/data/ooni-samples (read in place: OONI data is
// CC BY-NC-SA 4.0 and is not copied into the repo). Each file either yields the expected
// observation, is stored without one (a test Vigil does not judge), or is skipped by the importer's
// classifier with the stated reason. Where Vigil's verdict differs from OONI's, `why` says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeMeasurement, verdictOf } from './analyze.js';
import { classify } from '../ingest/ooni/classify.js';
import { validate } from '../model/validate.js';
import { Envelope } from '../model/measurement.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'data', 'ooni-samples');

type Expect =
  | { skip: RegExp }
  | { obs: [status: string, layer: string | null, target: string] | null; ooni: string; why?: string };

const T: Record<string, Expect> = {
  'api_aggregation__web_connectivity__2022-03-01_to_03-04__by_day.json': { skip: /aggregation/ },
  'api_measurements_list__2026-06-11_to_07-12__page1.json': { skip: /measurement list/ },
  'dnscheck__IT_AS30722__2020-12-02.spec_example.json': { obs: null, ooni: '-', why: 'dnscheck: no Vigil rules; stored, not judged' },
  'facebook_messenger__IT_AS30722__2016-11-25.spec_example.json': { obs: ['ok', null, 'facebook_messenger'], ooni: 'ok' },
  'facebook_messenger__IT_AS3269__ok__2020-04.api_measurement_meta.json': { obs: ['ok', null, 'facebook_messenger'], ooni: 'ok' },
  'facebook_messenger__RU_AS42610__anomaly__2020-03.api_measurement_meta.json': { obs: ['anomaly', 'dns', 'facebook_messenger'], ooni: 'anomaly' },
  'fastpath_table_rows__2024-01-01__1080rows.jsonl': { skip: /fastpath table row/ },
  'http_header_field_manipulation__PK_AS45595__2019-10-27.json': { obs: null, ooni: '-', why: 'middlebox test: no Vigil rules' },
  'multi_protocol_traceroute__VE_AS8048__2015-11-13.spec_example.json': { obs: null, ooni: '-', why: 'traceroute: stored (legacy test_start_time used as measurement time), not judged' },
  'ndt__DE_AS3209__2022-11-10.api_measurement_meta.json': { obs: null, ooni: '-', why: 'ndt: no Vigil rules (throttling comes from vigil_throughput)' },
  'psiphon__DE_AS8881__anomaly__2022-01-21.api_measurement_meta.json': { obs: null, ooni: 'anomaly', why: 'psiphon: a circumvention tool failing is not evidence about a platform; not judged' },
  'reference__fingerprints_dns.json': { skip: /fingerprint list/ },
  'reference__fingerprints_http.json': { skip: /fingerprint list/ },
  'signal__AM_AS44395__blocked-in-testkeys_fastpath-failure__2022-10-27.json': { obs: ['failure', null, 'signal'], ooni: 'failure', why: 'probe said blocked; stale pinned CA, ooni/probe#2627' },
  'signal__IR_AS43754__blocked__2021-04-15.api_measurement_meta.json': { obs: ['anomaly', 'dns', 'signal'], ooni: 'anomaly' },
  'signal__US_AS7922__blocked-in-testkeys_fastpath-failure__2023-05-30.json': { obs: ['failure', null, 'signal'], ooni: 'failure', why: 'probe said blocked; engine < 3.17.2 after 2023-05-02 (ooni/backend#679)' },
  'sni_blocking__IT_AS30722__2020-01-28.spec_example.json': { obs: null, ooni: '-', why: 'sni_blocking: no Vigil rules' },
  'synthetic_wc05__cloudflare-captcha-http-diff__cloudflareCAPTCHAWithHTTP.measurement.json': { obs: ['ok', null, 'cloudflare-cache.com'], ooni: 'http-diff', why: 'a CDN captcha is not censorship (OONI known false positive)' },
  'synthetic_wc05__control-failure__controlFailureWithSuccessfulHTTPWebsite.measurement.json': { obs: ['failure', null, 'example.org'], ooni: 'null' },
  'synthetic_wc05__dns-bogon__dnsBlockingBOGON.measurement.json': { obs: ['confirmed', 'dns', 'example.com'], ooni: 'dns', why: '10.10.34.35 is the Iranian national blockpage address (fingerprint ooni.ir_5, scope nat)' },
  'synthetic_wc05__dns-bogon__dnsBlockingBOGON.minipipeline_analysis.json': { skip: /minipipeline/ },
  'synthetic_wc05__dns-localhost-hijack__dnsHijackingToLocalhostWithHTTP.measurement.json': { obs: ['anomaly', 'dns', 'example.com'], ooni: 'dns' },
  'synthetic_wc05__dns-nxdomain__dnsBlockingNXDOMAIN.measurement.json': { obs: ['anomaly', 'dns', 'example.com'], ooni: 'dns' },
  'synthetic_wc05__http-diff-blockpage__httpDiffWithConsistentDNS.measurement.json': { obs: ['anomaly', 'http', 'example.com'], ooni: 'http-diff' },
  'synthetic_wc05__http-diff-blockpage__httpDiffWithConsistentDNS.minipipeline_analysis.json': { skip: /minipipeline/ },
  'synthetic_wc05__http-reset__httpBlockingConnectionReset.measurement.json': { obs: ['anomaly', 'http', 'example.com'], ooni: 'http-failure' },
  'synthetic_wc05__success-https__successWithHTTPS.measurement.json': { obs: ['ok', null, 'example.com'], ooni: 'false' },
  'synthetic_wc05__tcp-connect-timeout__tcpBlockingConnectTimeout.measurement.json': { obs: ['anomaly', 'tcp', 'example.com'], ooni: 'tcp_ip' },
  'synthetic_wc05__tcp-connect-timeout__tcpBlockingConnectTimeout.minipipeline_analysis.json': { skip: /minipipeline/ },
  'synthetic_wc05__throttling-https__throttlingWithHTTPS.measurement.json': { obs: ['anomaly', 'http', 'largefile.com'], ooni: 'http-failure', why: 'same verdict; web_connectivity measures no rate, so it is http (vigil_throughput makes throttle)' },
  'synthetic_wc05__tls-reset__tlsBlockingConnectionResetWithConsistentDNS.measurement.json': { obs: ['anomaly', 'tls', 'example.com'], ooni: 'http-failure', why: 'Vigil names the layer: the reset hit the TLS handshake' },
  'synthetic_wc05__website-down-nxdomain__websiteDownNXDOMAIN.measurement.json': { obs: ['failure', null, 'example.xyz'], ooni: 'false', why: 'down everywhere (control NXDOMAIN too): says nothing about this network, so failure, not ok' },
  'telegram__IT_AS30722__ok__2019-12-03.json': { obs: ['ok', null, 'telegram'], ooni: 'ok' },
  'telegram__RU_AS8402__web-blocked__2022-11-09.api_measurement_meta.json': { obs: ['ok', null, 'telegram'], ooni: 'anomaly', why: 'one of two https://web.telegram.org fetches succeeded and every DC answered: reachable, not blocked' },
  'timeseries__BR_web_connectivity_2018__detector_query.json': { skip: /metadata rows/ },
  'tlsping__IT_AS30722__2022-06-22.spec_example.json': { obs: null, ooni: '-', why: 'tlsping: no Vigil rules' },
  'torsf__TH_AS17552__timeout__2023-08-17.json': { obs: null, ooni: 'anomaly', why: 'tor: not a platform; not judged' },
  'urlgetter__IT_AS30722__2020-12-02.spec_example.json': { obs: null, ooni: '-', why: 'urlgetter: no Vigil rules' },
  'vanilla_tor__CN_AS17623__timeout__2022-08-02.json': { obs: null, ooni: 'anomaly', why: 'tor: not a platform; not judged' },
  'web_connectivity__CN_AS4134__dns-blocked__2017-05-16.json': { obs: ['failure', null, 'efindlove.com'], ooni: 'dns', why: 'the control got NXDOMAIN and could not fetch the site: the name did not exist, so the ISP answer is NXDOMAIN hijacking, not censorship of a site' },
  'web_connectivity__ID_AS23693__ok_archive-org__2025-05-27.json': { obs: ['confirmed', 'http', 'archive.org'], ooni: 'false', why: 'the redirect lands on Kominfo\'s blockpage lamanlabuh.aduankonten.id (fingerprint ooni.id_lamanlabuh_kominfo)' },
  'web_connectivity__IR_AS197207__blocking-null__2022-08-15.json': { obs: ['failure', null, 'yooz.ir'], ooni: 'null (failure)' },
  'web_connectivity__IR_AS197207__dns-blocked_fa-wikipedia__2020-03-02.json': { obs: ['confirmed', 'dns', 'fa.wikipedia.org'], ooni: 'dns' },
  'web_connectivity__IR_AS197207__dns-blocked_facebook__2022-08-15.json': { obs: ['confirmed', 'dns', 'facebook'], ooni: 'dns (confirmed)' },
  'web_connectivity__IT_AS30722__ok-no-body__2019-03-30.json': { obs: ['failure', null, 'nmrc.org'], ooni: 'false', why: 'the fetch failed (certificate) and the control failed too: nobody reached the page' },
  'web_connectivity__IT_AS30722__ok_youtube__2023-11-30.json': { obs: ['ok', null, 'youtube'], ooni: 'false' },
  'web_connectivity__NL_AS5390__http-failure__2020-02-29.json': { obs: ['failure', null, 'fa.wikipedia.org'], ooni: 'http-failure', why: 'unknown_failure is the probe\'s own decoding bug (ooni/backend#351)' },
  'web_connectivity__RU_AS42668__confirmed-http-diff__2020-03.api_measurement_meta.json': { obs: ['confirmed', 'http', 'rutor.org'], ooni: 'http-diff (confirmed)' },
  'web_connectivity__RU_AS51604__ok__2020-10-29.api_measurement_meta.json': { obs: ['failure', null, 'pokerroom.com'], ooni: 'false', why: 'every fetch failed and the control failed too' },
  'web_connectivity__TM_AS20661__blocking-null__2022-05-24.json': { obs: ['failure', null, 'ajax.aspnetcdn.com'], ooni: 'null', why: 'control failure is never read as blocking' },
  'web_connectivity__US_AS20115__ok__2019-07-20.json': { obs: ['ok', null, 'collegehumor.com'], ooni: 'false' },
  'web_connectivity_v05_testkeys__PK__2023-07-06.json': { skip: /test_keys only/ },
  'whatsapp__IE_AS6830__web-status-blocked__2022-12-02.json': { obs: ['ok', null, 'whatsapp'], ooni: 'ok (probe said web blocked)', why: 'a completed HTTPS response is reachability: "unsupported browser" status is not blocking' },
  'whatsapp__JP_AS55392__anomaly__2022-11-05.api_measurement_meta.json': { obs: ['anomaly', 'tls', 'whatsapp'], ooni: 'anomaly' },
  'whatsapp__US_AS7922__ok__2022-11-10.api_measurement_meta.json': { obs: ['ok', null, 'whatsapp'], ooni: 'ok' },
};

const have = existsSync(DIR);

test('the table covers every sample file', { skip: !have && 'samples not present' }, () => {
  const files = readdirSync(DIR).filter((f) => f !== 'SOURCES.md').sort();
  assert.deepEqual(files, Object.keys(T).sort());
});

function firstValue(file: string): unknown {
  const text = readFileSync(join(DIR, file), 'utf8');
  if (file.endsWith('.jsonl')) return JSON.parse(text.split('\n')[0]);
  return JSON.parse(text);
}

for (const [file, exp] of Object.entries(T)) {
  test(`golden: ${file}`, { skip: !have && 'samples not present' }, () => {
    const c = classify(firstValue(file));
    if ('skip' in exp) {
      assert.equal(c.kind, 'skip', `${file} should be skipped`);
      assert.match((c as { reason: string }).reason, exp.skip);
      return;
    }
    assert.equal(c.kind, 'measurements');
    const items = (c as { items: unknown[] }).items;
    assert.equal(items.length, 1);
    const v = validate(Envelope, items[0]);
    assert.ok(v.ok, `${file}: ${!v.ok && v.error}`);
    const obs = analyzeMeasurement(v.value);
    if (exp.obs === null) {
      assert.equal(obs.length, 0);
      return;
    }
    assert.equal(obs.length, 1, JSON.stringify(verdictOf(v.value)));
    const [status, layer, target] = exp.obs;
    assert.deepEqual([obs[0].status, obs[0].layer, obs[0].target], [status, layer, target], `${file}: ${JSON.stringify(obs[0])}`);
    assert.ok(Number.isInteger(obs[0].t) && obs[0].t > 1e9);
    assert.equal(obs[0].cc, (items[0] as { probe_cc: string }).probe_cc);
  });
}

test('golden: the v0.5 test_keys-only sample judged inside an envelope', { skip: !have && 'samples not present' }, () => {
  // ooni/probe#2517: OONI said dns; the control failed TLS to every address too (iCloud Private
  // Relay refuses non-Apple clients), so Vigil calls it failure.
  const tk = JSON.parse(readFileSync(join(DIR, 'web_connectivity_v05_testkeys__PK__2023-07-06.json'), 'utf8'));
  const v = verdictOf({
    data_format_version: '0.2.0', input: 'https://mask.icloud.com/', measurement_start_time: '2023-07-06 18:38:40', probe_asn: 'AS0', probe_cc: 'PK',
    report_id: 'x', software_name: 't', software_version: '0', test_name: 'web_connectivity', test_version: '0.5.24', test_keys: tk,
  });
  assert.equal(v?.status, 'failure');
});
