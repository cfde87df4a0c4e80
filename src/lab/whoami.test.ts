// Issue 10 §3 in the lab: a probe on a simulated network learns its ISP resolver through the
// helper's whoami zone, forwarded by the lab resolver from its own address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLoopbackLab } from './loopback.js';
import { venezuela2020 } from './scenarios/venezuela-2020.js';
import { resolveIdentity } from '../probe/identity.js';
import { openGeo } from '../geo/index.js';

test('a lab probe learns its resolver (and network) via whoami and the lab prefix table', async () => {
  const lab = await startLoopbackLab({ scenario: venezuela2020 });
  try {
    const geo = await openGeo({ prefixTables: [lab.prefixTablePath] });
    const env = lab.envFor('Movistar', 3);
    const id = await resolveIdentity({ env, geo, whoamiName: lab.whoamiZone });
    assert.equal(id.asn, 6306);
    assert.equal(id.cc, 'VE');
    assert.equal(id.resolverIp, lab.networks.find((n) => n.name === 'Movistar')!.resolver.address);
    assert.equal(id.resolverAsn, 6306);
    assert.equal(id.annotations.vigil_resolver_source, 'whoami');
  } finally {
    await lab.close();
  }
});
