#!/usr/bin/env node
/**
 * The `mtls-lab` command: serve (default), list, faults, validate, run, up, chaos, decode.
 *
 * Exit codes: 0 done; 2 a mistake the user can fix (one line saying what and how);
 * 1 a bug in mtls-lab itself (with its stack).
 */
import { isIPv6 } from 'node:net';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isHostName } from './app/hostCheck.js';
import { serveWarmProcesses } from './app/options.js';
import { defaultTrafficRps } from './app/trafficBudget.js';
import { FaultError } from './faults/index.js';
import { parseFaultArgument } from './cli/faultArgument.js';
import { LabValidationError } from './lab/index.js';
import { CliError } from './cli/cliError.js';
import { chaosCommand } from './cli/chaos.js';
import { decodeCommand } from './cli/decode.js';
import { faultsCommand } from './cli/faults.js';
import { listCommand } from './cli/list.js';
import { runCommand } from './cli/run.js';
import { parseWireFaultArgument } from './cli/wireFaultArgument.js';
import { serveCommand } from './cli/serve.js';
import { upCommand } from './cli/up.js';
import { validateCommand } from './cli/validate.js';

const usage = `usage: mtls-lab [command] [options]

  serve [--host 127.0.0.1] [--port 8470] [--no-open] [--terminal auto|on|off] [--allowed-hosts name,…] [--idle-stop MINUTES]
        [--max-sandboxes N] [--max-sandboxes-per-learner N] [--warm-processes N] [--traffic-rps N]
                                                       the web lab (default command); prints a URL for each
                                                       address it answers on; --allowed-hosts: names a proxy
                                                       forwards; its browser terminal is on for loopback only
                                                       unless --terminal on; a learner's lab with no page open
                                                       stops after --idle-stop minutes (10; 0: never); at most
                                                       --max-sandboxes labs run (48), --max-sandboxes-per-learner
                                                       of one learner's (3); --warm-processes service and client
                                                       processes each wait started, for fast starts (4; 0: none);
                                                       labs' traffic sends --traffic-rps requests a second at once,
                                                       the rest waits its turn (30 per core)
  list [--json]                                        the labs
  faults [--json]                                      the fault catalogue: targets, params, fixes, root causes
  validate [files or directories…]                     check lab files, each *.yaml of a directory (all of labs/ by default)
  run <lab-id|file> [--fault kind[:target]]… [--wire-fault kind:edge[:direction][,param=value…]]… [--fix] [--requests N] [--trace] [--json] [--capture DIR]
                                                       start a sandbox, drive traffic, report each edge
                                                       (--trace: the annotated handshake trace, a verdict per failure;
                                                       --wire-fault: a fault in the tap, e.g. mtu-blackhole:auth,maxRecordBytes=600)
  up <lab-id|file> [--fault kind[:target]]… [--fix] [--json] [--capture DIR]
                                                       start a sandbox and keep it up for curl/openssl
  chaos <lab-id|file> [--seed N] [--duration 60s] [--faults kind,kind…] [--json]
                                                       the lab under steady traffic while a seeded schedule breaks
                                                       it live (catalogue and wire faults) and mends it; prints each
                                                       injection and clear, then each edge's SLO breaches and what
                                                       the trace says caused them (the same seed: the same schedule)
  decode <file.pcap|file.pcapng> [--keylog keys.log] [--json]
                                                       annotate a capture you bring, with the same decoder

  --capture DIR writes capture.pcapng (TLS key log embedded) and keys.log into DIR:
  for run, of the run; for up, of everything it served, when it stops`;

const options = {
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: '8470' },
  'no-open': { type: 'boolean', default: false },
  terminal: { type: 'string', default: 'auto' },
  'allowed-hosts': { type: 'string', default: '' },
  'idle-stop': { type: 'string', default: '10' },
  'max-sandboxes': { type: 'string', default: '48' },
  'max-sandboxes-per-learner': { type: 'string', default: '3' },
  'warm-processes': { type: 'string', default: String(serveWarmProcesses) },
  'traffic-rps': { type: 'string', default: String(defaultTrafficRps()) },
  json: { type: 'boolean', default: false },
  fault: { type: 'string', multiple: true, default: [] },
  'wire-fault': { type: 'string', multiple: true, default: [] },
  fix: { type: 'boolean', default: false },
  requests: { type: 'string', default: '10' },
  trace: { type: 'boolean', default: false },
  capture: { type: 'string' },
  keylog: { type: 'string' },
  seed: { type: 'string', default: '1' },
  duration: { type: 'string', default: '60s' },
  faults: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies ParseArgsConfig['options'];

/** Requests `run` sends per client: past this it is a load test, and holds the terminal for minutes. */
const maxRunRequests = 10_000;

function wholeNumber(flag: string, value: string, min: number, max: number): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isInteger(number) || number < min || number > max) throw new CliError(`--${flag} takes a whole number from ${min} to ${max}, got "${value}"`);
  return number;
}

function portNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isInteger(number) || number < 0 || number > 65535) throw new CliError(`--port takes a whole number from 0 to 65535, got "${value}" (0 picks any free port)`);
  return number;
}

/** `--allowed-hosts a.example,b.example`: names matched exactly, so no port, scheme or wildcard. */
function hostNames(value: string): string[] {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '').map((name) => (isIPv6(name) ? `[${name}]` : name));
  for (const name of names) {
    if (!isHostName(name)) throw new CliError(`--allowed-hosts: "${name}" is not a host name; give names alone, comma-separated, with no scheme, port or wildcard, e.g. --allowed-hosts lab.example,lab.internal`);
  }
  return names;
}

function terminalSwitch(value: string): 'auto' | 'on' | 'off' {
  if (value === 'auto' || value === 'on' || value === 'off') return value;
  throw new CliError(`--terminal takes auto, on or off, got "${value}" (auto: on while listening on loopback only)`);
}

/** A chaos run's length: `90s`, `5m`; ten seconds (one incident) to an hour. */
function chaosDuration(value: string): number {
  const match = /^(\d+)(s|m)$/.exec(value.trim());
  const ms = match ? Number(match[1]) * (match[2] === 'm' ? 60_000 : 1000) : NaN;
  if (!(ms >= 10_000 && ms <= 3_600_000)) throw new CliError(`--duration takes seconds or minutes from 10s to 60m, like 20s or 5m, got "${value}"`);
  return ms;
}

function onlyOne(command: string, positionals: string[], what = 'lab id or file', example = 'baseline'): string {
  if (positionals.length !== 1) throw new CliError(`${command} takes one ${what}, e.g. \`mtls-lab ${command} ${example}\``);
  return positionals[0]!;
}

function captureOption(dir: string | undefined): { capture?: string } {
  if (dir === undefined) return {};
  if (dir.trim() === '') throw new CliError('--capture takes a directory, e.g. `--capture ./capture`');
  return { capture: dir };
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(`${(error as Error).message}; see \`mtls-lab --help\``);
  }
  const { values, positionals } = parsed;
  const [command = 'serve', ...rest] = positionals;
  if (values.help) {
    process.stdout.write(usage + '\n');
    return 0;
  }
  const faults = values.fault.map(parseFaultArgument);
  switch (command) {
    case 'serve':
      await serveCommand({ host: values.host.replace(/^\[(.*)\]$/, '$1'), port: portNumber(values.port), open: !values['no-open'], terminal: terminalSwitch(values.terminal), allowedHosts: hostNames(values['allowed-hosts']), idleStopMinutes: wholeNumber('idle-stop', values['idle-stop'], 0, 7 * 24 * 60),
        maxSandboxes: wholeNumber('max-sandboxes', values['max-sandboxes'], 1, 256),
        maxSandboxesPerLearner: wholeNumber('max-sandboxes-per-learner', values['max-sandboxes-per-learner'], 1, 256),
        warmProcesses: wholeNumber('warm-processes', values['warm-processes'], 0, 64),
        trafficRps: wholeNumber('traffic-rps', values['traffic-rps'], 1, 1_000_000),
      });
      return 0;
    case 'list':
      await listCommand({ json: values.json });
      return 0;
    case 'faults':
      faultsCommand({ json: values.json });
      return 0;
    case 'validate':
      return (await validateCommand(rest)) ? 0 : 2;
    case 'run':
      await runCommand({ lab: onlyOne('run', rest), faults, wireFaults: values['wire-fault'].map(parseWireFaultArgument), fix: values.fix, requests: wholeNumber('requests', values.requests, 1, maxRunRequests), json: values.json, trace: values.trace, ...captureOption(values.capture) });
      return 0;
    case 'up':
      await upCommand({ lab: onlyOne('up', rest), faults, fix: values.fix, json: values.json, ...captureOption(values.capture) });
      return 0;
    case 'chaos':
      await chaosCommand({
        lab: onlyOne('chaos', rest, 'lab id or file', 'topology-lab'),
        seed: wholeNumber('seed', values.seed, 0, 2 ** 32 - 1),
        durationMs: chaosDuration(values.duration),
        json: values.json,
        ...(values.faults !== undefined ? { kinds: values.faults.split(',').map((kind) => kind.trim()) } : {}),
      });
      return 0;
    case 'decode':
      await decodeCommand({ file: onlyOne('decode', rest, 'capture file', 'capture.pcapng'), json: values.json, ...(values.keylog ? { keylog: values.keylog } : {}) });
      return 0;
    default:
      throw new CliError(`unknown command "${command}"; commands: serve, list, faults, validate, run, up, chaos, decode`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof LabValidationError) {
      process.stderr.write(error.message + '\n');
    } else if (error instanceof CliError || error instanceof FaultError) {
      process.stderr.write(`ERROR: ${error.message}\n`);
    } else {
      process.stderr.write(`mtls-lab: internal error (please report it)\n${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(1);
    }
    process.exit(2);
  },
);
