import { issuePki, writeMaterials } from './index.js';
const spec = (o: any) => ({ ca: false, key: 'ecdsa-p256', san: [], eku: [], revoked: false, ...o, validity: { notBefore: '-1h', ...o.validity } });
const pki = {
  'corp-root': spec({ ca: true }),
  'corp-issuing': spec({ ca: true, issuer: 'corp-root', pathLen: 0 }),
  a: spec({ issuer: 'corp-issuing', san: ['dns:a.test', 'ip:127.0.0.1'], eku: ['serverAuth'] }),
  b: spec({ issuer: 'corp-issuing', san: ['uri:spiffe://corp.test/ns/pay/sa/payments'], eku: ['clientAuth'], revoked: true }),
  c: spec({ issuer: 'corp-issuing', san: ['email:a@b.test'] }),
};
for (let i = 0; i < 3; i++) { const t = performance.now(); await issuePki(pki); console.log('ms', performance.now() - t); }
const p = await issuePki(pki);
const m = await writeMaterials(p, '/tmp/pkiexp/out');
console.log(m.paths('a'), await m.trustBundle(['corp-root']), m.crlPath('corp-issuing'));
