// Test and bench support: a throwaway PKI made with the openssl CLI (EC P-256 keys: milliseconds,
// where JS RSA key generation takes seconds). A trusted CA with a leaf for the given names, and
// a rogue CA nobody trusts with a leaf for the same names (TLS interception).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pki {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** same names, signed by a CA nobody trusts */
  rogueCertPem: string;
  rogueKeyPem: string;
  /** a leaf from the trusted CA for a different name (wrong host) */
  otherCertPem: string;
  otherKeyPem: string;
}

function ossl(dir: string, args: string[]) {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function ca(dir: string, name: string) {
  ossl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '30', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

function leaf(dir: string, caName: string, name: string, names: string[]) {
  const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  ossl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${names[0]}`]);
  ossl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.pem`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '30', '-extfile', `${name}.ext`]);
}

export function makePki(names: string[]): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pki-'));
  try {
    ca(dir, 'ca');
    ca(dir, 'rogue');
    leaf(dir, 'ca', 'leaf', names);
    leaf(dir, 'rogue', 'rleaf', names);
    leaf(dir, 'ca', 'other', ['other.invalid']);
    const r = (f: string) => readFileSync(join(dir, f), 'utf8');
    return {
      caPem: r('ca.pem'), certPem: r('leaf.pem'), keyPem: r('leaf.key'),
      rogueCertPem: r('rleaf.pem'), rogueKeyPem: r('rleaf.key'),
      otherCertPem: r('other.pem'), otherKeyPem: r('other.key'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
