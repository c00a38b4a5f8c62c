/**
 * The one place @peculiar/x509 is loaded. Its dependency-injection container (tsyringe)
 * reads decorator metadata while the package evaluates, so `reflect-metadata` must be
 * imported first; and every key and signature must come from Node's own WebCrypto.
 * Other pki files import `x509` from here, never from the package.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as Crypto);

export { x509 };
