/**
 * The first step of `npm test`, before the build: the programs the tests drive as real peers
 * must be on PATH. Missing ones are installed when this machine can (root, with apt-get),
 * saying so in one line; otherwise it stops at once with one line naming every missing
 * program and the command that installs it — not minutes later, as failing tests.
 *
 * Plain JavaScript, run by node itself: tsx's start-up alone would spend most of the two
 * seconds a newcomer should wait for that line.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** Program on PATH → the Debian package that brings it. */
const peers = {
  openssl: 'openssl',
  curl: 'curl',
  // Reads the captures the tap exports, as a second opinion on the decoder.
  tshark: 'tshark',
  // The browser tests' browser (driven by playwright-core).
  chromium: 'chromium',
  // Builds the terminal's jail.
  bwrap: 'bubblewrap',
};

function onPath(name, searchPath) {
  return searchPath.split(path.delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function missingPeers(searchPath = process.env.PATH ?? '') {
  return Object.keys(peers).filter((name) => !onPath(name, searchPath));
}

function install(packages) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // [command, arguments, its standard input]
  const steps = [
    // tshark only reads capture files here: no setuid dumpcap, and no question asked about it.
    ['debconf-set-selections', [], 'wireshark-common wireshark-common/install-setuid boolean false\n'],
    ['apt-get', ['update', '-qq']],
    ['apt-get', ['install', '-y', '-qq', ...packages]],
  ];
  for (const [command, args, input] of steps) {
    const result = spawnSync(command, args, { env, input, encoding: 'utf8' });
    if (result.status !== 0) {
      process.stderr.write(`${command} ${args.join(' ')} failed:\n${result.stderr ?? result.error?.message ?? ''}\n`);
      return false;
    }
  }
  return true;
}

let missing = missingPeers();
const packagesOf = (names) => names.map((name) => peers[name]);
if (missing.length > 0 && process.getuid?.() === 0 && onPath('apt-get', process.env.PATH ?? '')) {
  process.stdout.write(`npm test: installing ${packagesOf(missing).join(' ')} with apt-get: the tests drive ${missing.join(', ')} as real peers\n`);
  if (install(packagesOf(missing))) missing = missingPeers();
}
if (missing.length > 0) {
  process.stderr.write(`npm test needs ${missing.join(', ')}, not found on PATH; install ${missing.length > 1 ? 'them' : 'it'}: sudo apt-get install ${packagesOf(missing).join(' ')}\n`);
  process.exit(1);
}
