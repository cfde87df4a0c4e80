// The lab's certificate authorities (node-forge builds the X.509; Node's crypto makes the RSA
// keys because forge's pure-JS key generation takes seconds). Two CAs: the lab CA, which probes
// and the control helper trust, and a "censor" CA, which nobody trusts — the TLS-interception
// technique presents a certificate for the right name issued by it (→ ssl_unknown_authority).
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import forge from 'node-forge';

export interface KeyPair { keyPem: string; certPem: string }

export interface LabCa extends KeyPair {
  /** issues a leaf certificate for these DNS names and IP addresses (first name is the CN) */
  issue(names: string[], ips?: string[]): KeyPair;
}

// Key generation costs 50-500 ms (prime search): keys are made once per process and name and
// reused by every lab started in it; certificates are still issued fresh.
const keyCache = new Map<string, { privateKey: string; publicKey: string }>();
function rsaKeys(slot: string): { privateKey: string; publicKey: string } {
  const hit = keyCache.get(slot);
  if (hit) return hit;
  const k = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  keyCache.set(slot, k);
  return k;
}

/** Signs with Node's native RSA (forge's JS big-integer RSA costs ~100 ms a certificate). */
function signCert(cert: forge.pki.Certificate, caKeyPem: string): void {
  const oid = forge.pki.oids.sha256WithRSAEncryption;
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  cert.md = forge.md.sha256.create();
  const tbs = forge.asn1.toDer((forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert)).getBytes();
  cert.signature = sign('sha256', Buffer.from(tbs, 'binary'), caKeyPem).toString('binary');
}

function ecKeys(slot: string): { privateKey: string; publicKey: string } {
  const hit = keyCache.get(slot);
  if (hit) return hit;
  const k = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  keyCache.set(slot, k);
  return k;
}

function pemBody(pem: string): string {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64').toString('binary');
}

/** Signs `cert` (RSA CA, sha256WithRSAEncryption) with its SubjectPublicKeyInfo replaced by `spki`. */
function signWithSpki(cert: forge.pki.Certificate, spki: forge.asn1.Asn1, caKeyPem: string): string {
  const oid = forge.pki.oids.sha256WithRSAEncryption;
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  cert.md = forge.md.sha256.create();
  const tbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  // TBSCertificate: [0] version, serial, signature, issuer, validity, subject, subjectPublicKeyInfo, …
  (tbs.value as forge.asn1.Asn1[])[6] = spki;
  const tbsDer = forge.asn1.toDer(tbs).getBytes();
  const sig = sign('sha256', Buffer.from(tbsDer, 'binary'), caKeyPem).toString('binary');
  const A = forge.asn1;
  const algo = A.create(A.Class.UNIVERSAL, A.Type.SEQUENCE, true, [
    A.create(A.Class.UNIVERSAL, A.Type.OID, false, A.oidToDer(oid).getBytes()),
    A.create(A.Class.UNIVERSAL, A.Type.NULL, false, ''),
  ]);
  const certAsn1 = A.create(A.Class.UNIVERSAL, A.Type.SEQUENCE, true, [
    tbs,
    algo,
    A.create(A.Class.UNIVERSAL, A.Type.BITSTRING, false, String.fromCharCode(0) + sig),
  ]);
  const der = A.toDer(certAsn1).getBytes();
  const b64 = Buffer.from(der, 'binary').toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

function serial(): string {
  // Positive 16-byte serial (RFC 5280 §4.1.2.2: positive, at most 20 octets).
  const b = randomBytes(16);
  b[0] &= 0x7f;
  return b.toString('hex');
}

const NOT_BEFORE = new Date('2019-01-01T00:00:00Z');   // scenarios are dated 2020: certificates must cover them
const NOT_AFTER = new Date('2045-01-01T00:00:00Z');

export function createCa(commonName: string): LabCa {
  const keys = rsaKeys(`ca:${commonName}`);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  cert.serialNumber = serial();
  cert.validity.notBefore = NOT_BEFORE;
  cert.validity.notAfter = NOT_AFTER;
  const subject = [{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'Vigil Lab' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signCert(cert, keys.privateKey);
  const certPem = forge.pki.certificateToPem(cert);

  // One leaf key for every certificate this CA issues: the lab needs many names, not key diversity.
  // The leaf key is ECDSA P-256: every lab TLS handshake signs with it, and an ECDSA signature
  // costs a few percent of an RSA-2048 one, which is what lets the demo run thousands of
  // measurements in seconds. forge cannot represent EC keys, so the certificate is built with a
  // placeholder RSA key and its SubjectPublicKeyInfo swapped for the EC one before signing.
  const leafKeys = ecKeys(`leaf:${commonName}`);
  const placeholderPub = forge.pki.publicKeyFromPem(rsaKeys(`ca:${commonName}`).publicKey);
  const ecSpki = forge.asn1.fromDer(forge.util.createBuffer(pemBody(leafKeys.publicKey)));

  return {
    keyPem: keys.privateKey,
    certPem,
    issue(names: string[], ips: string[] = []): KeyPair {
      if (names.length === 0 && ips.length === 0) throw new RangeError('issue: no names');
      const leaf = forge.pki.createCertificate();
      leaf.publicKey = placeholderPub;
      leaf.serialNumber = serial();
      leaf.validity.notBefore = NOT_BEFORE;
      leaf.validity.notAfter = NOT_AFTER;
      leaf.setSubject([{ name: 'commonName', value: names[0] ?? ips[0] }]);
      leaf.setIssuer(cert.subject.attributes);
      leaf.setExtensions([
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [...names.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))] },
      ]);
      return { keyPem: leafKeys.privateKey, certPem: signWithSpki(leaf, ecSpki, keys.privateKey) };
    },
  };
}
