/**
 * A sandbox: one running instance of a lab — its own directory, loopback address, ports,
 * processes and tap.
 *
 *   LabSpec ──issuePkiInThread──▶ Materials (PEM files in the sandbox dir)
 *           ──spawn──▶ service processes (internal ports) + client processes
 *   client ⇄ tap (sandbox address, described port) ⇄ service
 *   tap ──▶ recorded connections; both ends ──▶ keylog; every process ──▶ ProcessEvents
 *
 * Nothing here fakes an outcome: every report comes from what a client process lived and
 * what a service process logged, tied together by the ports the tap saw.
 */
import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { formatPath, relativeTimeMs, stackProblems } from '../lab/index.js';
import type { ClientSpec, LabSpec, ServiceSpec } from '../lab/schema.js';
import { issuePkiInThread, pemBlocks, writtenMaterials, type Materials, type Pki } from '../pki/index.js';
import { pickLoopbackAddress } from './address.js';
import { buildEdgeReport } from './edgeReport.js';
import { followKeylogFile, keylogTail, type KeylogFile } from './keylogFile.js';
import { checkSameTopology, clientChange, filesDigest, serviceChange, type Realised } from './liveChange.js';
import { ManagedChild } from './managedChild.js';
import type { ClientConfig, ClientMessage, ErrorInfo, RequestResult, ServiceConfig, ServiceMessage } from './messages.js';
import { reaperRegistry } from './reaperClient.js';
import { renewedCertificate, serviceFiles, writeLoaded, writeServiceFiles } from './renewedFiles.js';
import { Tap, type TapConnection } from './tap.js';
import type { WarmPool } from './warmPool.js';
import type { EdgeReport, ProcessEvent, Sandbox, SandboxDescription, SandboxOptions, SpecChange, TrafficOptions } from './types.js';
import { parseWireFault, type WireFaultInput, type WireFaultSpec } from './wireFaults/catalogue.js';

interface ServiceRuntime {
  name: string;
  spec: ServiceSpec;
  /** The files it presents and trusts, as described. */
  cert: string;
  key: string;
  trust?: string;
  /** Why it could not start, when it could not. */
  startError?: string;
  child: ManagedChild<ServiceMessage>;
  /** Its first answer: listening, or its TLS stack refused the files. */
  started: Promise<Extract<ServiceMessage, { type: 'listening' | 'start-failed' }>>;
  /** The config it runs with, and its files' digest: what a live change is compared with. */
  realised: Realised<ServiceConfig>;
  tapPort: number;
  internalPort?: number;
  opensslPid?: number;
}

interface ClientRuntime {
  name: string;
  spec: ClientSpec;
  child: ManagedChild<ClientMessage>;
  realised: Realised<ClientConfig>;
  url: string;
  cert?: string;
  key?: string;
  chain?: string;
  trust?: string;
  /** Results of runs in flight, by run id. */
  runs: Map<number, RequestResult[]>;
}

interface ServiceError extends ErrorInfo {
  service: string;
  connection?: TapConnection;
}

const liveSandboxes = new Set<RunningSandbox>();
/** Five lines per TLS 1.3 connection and end: about 10,000 connections' worth per side. */
const maxKeylogLines = 100_000;
const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** Starts a lab; on any failure everything started so far is stopped before the error is thrown. */
export async function startSandbox(spec: LabSpec, options: SandboxOptions = {}): Promise<Sandbox> {
  checkRealizable(spec);
  const sandbox = new RunningSandbox(spec);
  liveSandboxes.add(sandbox);
  try {
    await sandbox.start(options);
    return sandbox;
  } catch (err) {
    await sandbox.stop();
    throw err;
  }
}

/** For signal handlers: stops every sandbox this process started. */
export async function stopAllSandboxes(): Promise<void> {
  await Promise.allSettled([...liveSandboxes].map((sandbox) => sandbox.stop()));
}

/**
 * Lab rules the runtime relies on, asked again of the spec it is given: `validate` checks the
 * lab as written (server/lab/stacks.ts), but a fault applied later (permissive-mode on an
 * openssl service) can still break one, and a refusal naming the field beats a crash halfway
 * through starting.
 */
function checkRealizable(spec: LabSpec): void {
  const [problem] = stackProblems(spec.services);
  if (problem !== undefined) throw new TypeError(`${formatPath(problem.path)}: ${problem.message}`);
  for (const [name, client] of Object.entries(spec.clients)) {
    if (!(client.calls in spec.services)) {
      throw new TypeError(`clients.${name}.calls: "${client.calls}" is not a service in this lab (known: ${Object.keys(spec.services).join(', ')})`);
    }
  }
}

class RunningSandbox implements Sandbox {
  readonly id: string;
  readonly lab: string;
  dir = '';
  address = '';
  readonly keylog: string[] = [];
  readonly startEvents: ProcessEvent[] = [];
  readonly events = new EventEmitter();

  #spec: LabSpec;
  #tap: Tap | undefined;
  #pki: Pki | undefined;
  #materials: Materials | undefined;
  /** SSLKEYLOGFILE for tools run by hand against the sandbox (the browser terminal's curl and openssl). */
  #ownToolsKeylog: KeylogFile | undefined;
  readonly #services = new Map<string, ServiceRuntime>();
  readonly #clients = new Map<string, ClientRuntime>();
  readonly #serviceErrors: ServiceError[] = [];
  #runs = 0;
  #flushes = 0;
  #stopping: Promise<void> | undefined;
  #wireFaults: readonly WireFaultSpec[] = [];
  /** Live changes, one at a time. */
  #changing: Promise<unknown> = Promise.resolve();
  #reconfigures = 0;
  #warmPool: WarmPool | undefined;

  constructor(spec: LabSpec) {
    this.#spec = spec;
    this.lab = spec.id;
    this.id = `${spec.id}-${Math.random().toString(36).slice(2, 8)}`;
    // Many listeners (a UI per learner) are normal; an 'error' must never crash the parent.
    this.events.setMaxListeners(0);
  }

  get tap(): Tap {
    if (!this.#tap) throw new Error(`sandbox ${this.id} has no tap yet: it is still starting`);
    return this.#tap;
  }

  async start(options: SandboxOptions): Promise<void> {
    this.#warmPool = options.warmPool;
    this.dir = await mkdtemp(join(options.baseDir ?? tmpdir(), `mtls-lab-${this.lab}-`));
    reaperRegistry.registerDir(this.dir);
    const [pki, address] = await Promise.all([issuePkiInThread(this.#spec.pki, { ...(options.now ? { now: options.now } : {}), writeTo: this.dir }), pickLoopbackAddress()]);
    this.address = address;
    const materials = writtenMaterials(pki, this.dir);
    this.#pki = pki;
    this.#materials = materials;
    this.#ownToolsKeylog = await followKeylogFile(join(this.dir, 'sslkeylog.txt'), (line) => this.#addKeylog(line));

    const tap = new Tap({ address });
    this.#tap = tap;
    tap.on('connection', (conn: TapConnection) => this.events.emit('connection', conn));
    tap.on('close', (conn: TapConnection) => this.events.emit('close', conn));
    tap.on('truncated', (info: unknown) => this.events.emit('truncated', info));
    const services = Object.entries(this.#spec.services);
    const tapPorts = await Promise.all(services.map(([name]) => tap.listen(name)));

    const crlPaths = this.#crlPaths(pki);
    const serviceConfigs = await Promise.all(services.map(([name, spec]) => this.#serviceConfig(name, spec, pki, crlPaths)));
    const clientConfigs = await Promise.all(
      Object.entries(this.#spec.clients).map(([name, spec]) => this.#clientConfig(name, spec, pki, crlPaths)),
    );

    const [serviceDigests, clientDigests] = await Promise.all([
      Promise.all(serviceConfigs.map(filesDigest)),
      Promise.all(clientConfigs.map(({ config }) => filesDigest(config))),
    ]);
    services.forEach(([name, spec], i) => {
      const runtime = { name, spec, tapPort: tapPorts[i]! } as ServiceRuntime;
      this.#spawnService(runtime, { config: serviceConfigs[i]!, filesDigest: serviceDigests[i]! });
      this.#services.set(name, runtime);
    });
    const clientsReady: Promise<unknown>[] = [];
    clientConfigs.forEach(({ name, spec, config, described }, i) => {
      const runtime = { name, spec, ...described, realised: { config, filesDigest: clientDigests[i]! }, runs: new Map() } as ClientRuntime;
      runtime.child = new ManagedChild<ClientMessage>({
        role: 'client',
        name,
        entry: 'clientMain',
        config,
        cwd: this.dir,
        pool: this.#warmPool,
        onMessage: (message) => this.#onClientMessage(runtime, message),
        onLine: (stream, line) => this.#emitProcess({ role: 'client', name, pid: runtime.child.pid, kind: 'log', stream, message: line }),
      });
      clientsReady.push(settledLater(runtime.child.waitFor('ready', (m) => (m.type === 'ready' ? true : undefined))));
      this.#watchExit(runtime.child);
      this.#clients.set(name, runtime);
    });

    await Promise.all([...[...this.#services.values()].map((service) => this.#serviceListening(service)), ...clientsReady]);
  }

  /** A service process for `realised` (first, or again for a new stack or mode); the files it is described with follow it. */
  #spawnService(runtime: ServiceRuntime, realised: Realised<ServiceConfig>): void {
    const { config } = realised;
    const { name } = runtime;
    Object.assign(runtime, { realised, cert: config.chainPath, key: config.keyPath });
    if (config.trustPath) runtime.trust = config.trustPath;
    else delete runtime.trust;
    runtime.child = new ManagedChild<ServiceMessage>({
      role: 'service',
      name,
      entry: 'serviceMain',
      config,
      cwd: this.dir,
      pool: this.#warmPool,
      onMessage: (message) => this.#onServiceMessage(runtime, message),
      onLine: (stream, line) => this.#emitProcess({ role: 'service', name, pid: runtime.child.pid, kind: 'log', stream, message: line }),
    });
    // Waited for from the spawn on: a warm process can answer before the sandbox gets round to asking.
    runtime.started = settledLater(runtime.child.waitFor('listening', (m) => (m.type === 'listening' || m.type === 'start-failed' ? m : undefined)));
    this.#watchExit(runtime.child);
  }

  async #serviceListening(service: ServiceRuntime): Promise<void> {
    const tap = this.tap;
    const started = await service.started;
    if (started.type === 'listening') {
      service.internalPort = started.port;
      await tap.setUpstream(service.name, started.port);
      if (service.spec.loaded !== undefined) await this.#renewUnderRunningService(service, this.#pki!);
      return;
    }
    await this.#refuse(service, started);
  }

  /**
   * Its TLS stack refused its files: the lab runs on without it, and nothing listens at its
   * address, so its callers are refused there as they would be in production.
   */
  async #refuse(service: ServiceRuntime, failed: { code?: string; message: string }): Promise<void> {
    service.startError = failed.code ? `${failed.code}: ${failed.message}` : failed.message;
    await this.tap.refuse(service.name);
  }

  describe(): SandboxDescription {
    const services: SandboxDescription['services'] = {};
    for (const service of this.#services.values()) {
      const { host, stack, mode, clientAuth } = service.spec;
      services[service.name] = {
        host,
        address: this.address,
        port: service.tapPort,
        url: `${mode === 'disable' ? 'http' : 'https'}://${host}:${service.tapPort}/`,
        resolve: `${host}:${service.tapPort}:${this.address}`,
        stack,
        mode,
        clientAuth,
        cert: service.cert,
        key: service.key,
        ...(service.startError !== undefined ? { startError: service.startError } : {}),
        ...(service.trust ? { trust: service.trust } : {}),
        internalPort: service.internalPort ?? 0,
        pid: service.child.pid,
        ...(service.opensslPid !== undefined ? { opensslPid: service.opensslPid } : {}),
      };
    }
    const clients: SandboxDescription['clients'] = {};
    for (const client of this.#clients.values()) {
      clients[client.name] = {
        calls: client.spec.calls,
        ...(client.cert ? { cert: client.cert, key: client.key } : {}),
        ...(client.chain ? { chain: client.chain } : {}),
        ...(client.trust ? { trust: client.trust } : {}),
        url: client.url,
        protocol: client.spec.protocol,
        pid: client.child.pid,
      };
    }
    const cas: Record<string, string> = {};
    for (const [name, cert] of Object.entries(this.#spec.pki)) {
      if (cert.ca && this.#materials) cas[name] = this.#materials.paths(name).cert;
    }
    const pids = [
      ...[...this.#services.values()].flatMap((s) => (s.opensslPid === undefined ? [s.child.pid] : [s.child.pid, s.opensslPid])),
      ...[...this.#clients.values()].map((c) => c.child.pid),
    ];
    const sslKeylogFile = this.#ownToolsKeylog?.path ?? '';
    return { id: this.id, lab: this.lab, dir: this.dir, address: this.address, sslKeylogFile, services, clients, cas, pids };
  }

  async runTraffic(options: TrafficOptions): Promise<EdgeReport[]> {
    const { requests, signal, admitted } = options;
    if (!Number.isInteger(requests) || requests < 0) {
      throw new RangeError(`runTraffic: requests must be a whole number ≥ 0, got ${requests}`);
    }
    if (this.#stopping) throw new Error(`runTraffic: sandbox ${this.id} is stopped`);
    const runId = ++this.#runs;
    const errorsBefore = this.#serviceErrors.length;
    const clients = [...this.#clients.values()];
    // A client sends its first request as soon as the run reaches it: an aborted run sends none.
    const count = signal?.aborted ? 0 : requests;

    const running = Promise.all(
      clients.map(async (client) => {
        const results: RequestResult[] = [];
        client.runs.set(runId, results);
        try {
          const done = client.child.waitFor(`the end of run ${runId}`, (m) => (m.type === 'done' && m.runId === runId ? m : undefined));
          client.child.send({ type: 'run', runId, requests: count, held: admitted !== undefined });
          return { client, results, durationMs: (await done).durationMs };
        } finally {
          client.runs.delete(runId);
        }
      }),
    );
    // Each channel is ordered: a client reads its go after its run. Not admitted means aborted: the signal stops it.
    void admitted?.then(() => clients.forEach((client) => client.child.send({ type: 'go', runId })), () => undefined);
    // Each client's channel is ordered: its stop arrives after its run.
    const stop = (): void => clients.forEach((client) => client.child.send({ type: 'stop', runId }));
    signal?.addEventListener('abort', stop, { once: true });
    let runs: Awaited<typeof running>;
    try {
      runs = await running;
    } finally {
      signal?.removeEventListener('abort', stop);
    }

    // A service logs a failure at about the moment its client sees it, on another channel.
    // Its log line is written before it closes the connection (s_server prints, then closes;
    // Node reports a rejected certificate on close), so first wait until the tap has seen
    // every failed connection close, then a flush round trip on each service's own (ordered)
    // channel collects what it said.
    await this.#failedConnectionsClosed(runs.flatMap((run) => run.results), 1000);
    await Promise.all(
      [...new Set(runs.map((run) => run.client.spec.calls))].map((name) => {
        const service = this.#services.get(name)!;
        if (!service.child.running) return undefined;
        const id = ++this.#flushes;
        const flushed = service.child.waitFor('flush', (m) => (m.type === 'flushed' && m.id === id ? true : undefined));
        service.child.send({ type: 'flush', id });
        return flushed.catch(() => undefined);
      }),
    );

    const errors = this.#serviceErrors.slice(errorsBefore);
    return runs.map(({ client, results, durationMs }) => {
      const service = client.spec.calls;
      const ports = new Set(results.flatMap((result) => (result.localPort === undefined ? [] : [result.localPort])));
      const sole = [...this.#clients.values()].filter((other) => other.spec.calls === service).length === 1;
      const serverErrors = errors.filter(
        (error) => error.service === service && (error.connection ? ports.has(error.connection.clientPort) : sole),
      );
      return buildEdgeReport({ client: client.name, service, results, serverErrors, durationMs });
    });
  }

  /** Resolves once the tap has closed every connection a failed request used, or after `limitMs`. */
  async #failedConnectionsClosed(results: readonly RequestResult[], limitMs: number): Promise<void> {
    const tap = this.tap;
    const open = new Set<TapConnection>();
    for (const result of results) {
      if (!result.error || result.localPort === undefined) continue;
      const conn = tap.byClientPort(result.localPort);
      if (conn && conn.closedAt === undefined) open.add(conn);
    }
    if (open.size === 0) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        tap.off('close', onClose);
        resolve();
      };
      const onClose = (conn: TapConnection): void => {
        open.delete(conn);
        if (open.size === 0) done();
      };
      const timer = setTimeout(done, limitMs);
      tap.on('close', onClose);
    });
  }

  get wireFaults(): readonly WireFaultSpec[] {
    return this.#wireFaults;
  }

  async setWireFaults(faults: readonly WireFaultInput[]): Promise<readonly WireFaultSpec[]> {
    const edges = [...this.#services.keys()];
    // All or none: one fault that does not fit leaves the sandbox's faults as they were.
    const parsed = faults.map((fault) => parseWireFault(fault, edges));
    const tap = this.tap;
    await Promise.all(edges.map((edge) => tap.setWireFaults(edge, parsed.filter((fault) => fault.edge === edge))));
    this.#wireFaults = parsed;
    return parsed;
  }

  reconfigure(spec: LabSpec): Promise<SpecChange> {
    const change = this.#changing.then(() => this.#reconfigureNow(spec));
    this.#changing = change.catch(() => undefined);
    return change;
  }

  async #reconfigureNow(next: LabSpec): Promise<SpecChange> {
    if (this.#stopping) throw new Error(`reconfigure: sandbox ${this.id} is stopped`);
    checkRealizable(next);
    checkSameTopology(this.#spec, next);
    const previous = this.#pki!;
    const pki = await issuePkiInThread(next.pki, { previous, writeTo: this.dir });
    this.#materials = writtenMaterials(pki, this.dir);
    this.#pki = pki;
    this.#spec = next;
    const reissued = [...pki.certificates].filter(([name, issued]) => previous.certificates.get(name)?.certPem !== issued.certPem).map(([name]) => name);

    const crlPaths = this.#crlPaths(pki);
    const services = await Promise.all(
      [...this.#services.values()].map(async (service) => {
        const spec = next.services[service.name]!;
        const config = await this.#serviceConfig(service.name, spec, pki, crlPaths);
        // The instant a skewed verifier checks at is taken once, when its skew is set.
        if (spec.clockOffset === service.spec.clockOffset && service.realised.config.verifyAtSeconds !== undefined) config.verifyAtSeconds = service.realised.config.verifyAtSeconds;
        const realised = { config, filesDigest: await filesDigest(config) };
        // A service whose TLS stack refused its files has exited: the next change starts it again.
        const how = service.startError === undefined && service.child.running ? serviceChange(service.realised, realised) : 'restart';
        service.spec = spec;
        return { service, realised, how };
      }),
    );
    const clients = await Promise.all(
      Object.entries(next.clients).map(async ([name, spec]) => {
        const client = this.#clients.get(name)!;
        const { config, described } = await this.#clientConfig(name, spec, pki, crlPaths);
        const realised = { config, filesDigest: await filesDigest(config) };
        const how = clientChange(client.realised, realised);
        client.spec = spec;
        return { client, realised, described, how };
      }),
    );

    await Promise.all([
      ...services.map(({ service, realised, how }) => (how === 'restart' ? this.#restartService(service, realised) : how === 'reload' ? this.#reloadService(service, realised) : undefined)),
      ...clients.map(async ({ client, realised, described, how }) => {
        if (how === 'none') return;
        const id = ++this.#reconfigures;
        const done = client.child.waitFor('its new config', (m) => (m.type === 'reconfigured' && m.id === id ? true : undefined));
        client.child.send({ type: 'reconfigure', id, config: realised.config });
        await done;
        for (const field of ['cert', 'key', 'chain', 'trust'] as const) delete client[field];
        Object.assign(client, described, { realised });
      }),
    ]);
    return {
      reissued,
      services: Object.fromEntries(services.filter(({ how }) => how !== 'none').map(({ service, how }) => [service.name, how === 'restart' ? 'restarted' : 'reloaded'])),
      clients: clients.filter(({ how }) => how !== 'none').map(({ client }) => client.name),
    };
  }

  /** New handshakes meet the new config: Node's server swaps its context in place, s_server is restarted by its process. */
  async #reloadService(service: ServiceRuntime, realised: Realised<ServiceConfig>): Promise<void> {
    const id = ++this.#reconfigures;
    const done = service.child.waitFor('its new config', (m) => (m.type === 'reconfigured' && m.id === id) || m.type === 'start-failed' ? m : undefined);
    service.child.send({ type: 'reconfigure', id, config: realised.config });
    const answer = await done;
    service.realised = realised;
    if (answer.type === 'start-failed') return this.#refuse(service, answer);
    if (answer.port !== service.internalPort) {
      service.internalPort = answer.port;
      await this.tap.setUpstream(service.name, answer.port);
    }
  }

  /** A new stack or mode is another server: its process is replaced (connections open to the old one end with it). */
  async #restartService(service: ServiceRuntime, realised: Realised<ServiceConfig>): Promise<void> {
    const old = service.child;
    await old.stop();
    if (service.opensslPid !== undefined) reaperRegistry.unregisterPid(service.opensslPid);
    delete service.opensslPid;
    // A port refused for a service that could not start opens again once it listens (TapRelay.setUpstream).
    delete service.startError;
    this.#spawnService(service, realised);
    await this.#serviceListening(service);
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    liveSandboxes.delete(this);
    const children = [...this.#services.values(), ...this.#clients.values()].map((runtime) => runtime.child);
    await Promise.allSettled([...children.map((child) => child.stop()), this.#tap?.close()]);
    await this.#ownToolsKeylog?.close();
    for (const service of this.#services.values()) {
      if (service.opensslPid === undefined) continue;
      // The service process waits for s_server's exit before its own clean exit; only when it
      // did not exit cleanly can s_server be left over (and its pid not yet reused).
      const { code } = await service.child.exited;
      if (code !== 0) killQuietly(service.opensslPid);
      reaperRegistry.unregisterPid(service.opensslPid);
    }
    if (this.dir) {
      await this.#readLeftOverKeylog();
      await rm(this.dir, { recursive: true, force: true });
      reaperRegistry.unregisterDir(this.dir);
    }
  }

  /**
   * s_server's key-log lines reach the sandbox through its service process, which may not have
   * passed on the last ones before the stop closed its channel — a call made just before the
   * stop then lost its keys, and a capture its TLS 1.3 handshake. Its file has them.
   */
  async #readLeftOverKeylog(): Promise<void> {
    const known = new Set(this.keylog);
    for (const name of this.#services.keys()) {
      const tail = await keylogTail(join(this.dir, `service-${name}.keylog`));
      // Lines are passed on in the order s_server wrote them: what follows the last one known is what was left.
      for (const line of tail.slice(tail.findLastIndex((line) => known.has(line)) + 1)) this.#addKeylog(line);
    }
  }

  #onServiceMessage(service: ServiceRuntime, message: ServiceMessage): void {
    const base = { role: 'service' as const, name: service.name, pid: service.child.pid };
    switch (message.type) {
      case 'listening':
        this.#emitProcess({ ...base, kind: 'listening', message: `listening on ${this.address}:${message.port}` });
        break;
      case 'spawned':
        // s_server restarted for a live change: the one before it has exited.
        if (service.opensslPid !== undefined) reaperRegistry.unregisterPid(service.opensslPid);
        service.opensslPid = message.pid;
        reaperRegistry.registerPid(message.pid);
        this.#emitProcess({ ...base, pid: message.pid, kind: 'spawned', message: message.command });
        break;
      case 'tls-error': {
        // openssl's log has no port; s_server serves one connection at a time and prints before
        // it closes, so it is the oldest one still open on the service's side.
        const connection = message.remotePort !== undefined ? this.tap.byUpstreamPort(message.remotePort) : (this.tap.servingNow(service.name) ?? this.#lastServed(service.name));
        this.#serviceErrors.push({ service: service.name, code: message.code, message: message.message, ...(connection ? { connection } : {}) });
        this.#emitProcess({ ...base, kind: 'tls-error', code: message.code, message: message.message, ...(connection ? { connection: connection.id } : {}) });
        break;
      }
      case 'request': {
        const connection = message.remotePort !== undefined ? this.tap.byUpstreamPort(message.remotePort) : undefined;
        this.#emitProcess({
          ...base,
          kind: 'request',
          code: String(message.status),
          message: `${message.method} ${message.path} → ${message.status}; ${message.peer}`,
          ...(connection ? { connection: connection.id } : {}),
        });
        break;
      }
      case 'keylog':
        this.#addKeylog(message.line);
        break;
      case 'log':
        this.#emitProcess({ ...base, pid: service.opensslPid ?? base.pid, kind: 'log', stream: message.stream, message: message.line });
        break;
      case 'start-failed': {
        const event = { t: nowUs(), ...base, kind: 'start-error', ...(message.code ? { code: message.code } : {}), message: message.message } satisfies ProcessEvent;
        this.startEvents.push(event);
        this.events.emit('process-event', event);
        break;
      }
      case 'fatal':
        this.#emitProcess({ ...base, kind: 'fatal', message: message.message });
        break;
      case 'flushed':
      case 'reconfigured':
        break;
    }
  }

  #onClientMessage(client: ClientRuntime, message: ClientMessage): void {
    const base = { role: 'client' as const, name: client.name, pid: client.child.pid };
    switch (message.type) {
      case 'result': {
        const { type: _type, ...result } = message;
        client.runs.get(result.runId)?.push(result);
        this.events.emit('request-result', client.name, result);
        if (result.error) {
          const connection = result.localPort !== undefined ? this.tap.byClientPort(result.localPort) : undefined;
          this.#emitProcess({ ...base, kind: 'client-error', ...result.error, ...(connection ? { connection: connection.id } : {}) });
        }
        break;
      }
      case 'keylog':
        this.#addKeylog(message.line);
        break;
      case 'ready':
        this.#emitProcess({ ...base, kind: 'ready' });
        break;
      case 'fatal':
        this.#emitProcess({ ...base, kind: 'fatal', message: message.message });
        break;
      case 'done':
      case 'reconfigured':
        break;
    }
  }

  #watchExit(child: ManagedChild<{ type: string }>): void {
    void child.exited.then(({ code, signal }) => {
      this.#emitProcess({ role: child.role, name: child.name, pid: child.pid, kind: 'exit', code: signal ?? String(code) });
    });
  }

  /** The renewal job that ran after the service read its files: the renewed certificate, written over them. The service is not told. */
  async #renewUnderRunningService(service: ServiceRuntime, pki: Pki): Promise<void> {
    const { name, spec } = service;
    const files = serviceFiles(this.dir, name);
    await writeServiceFiles(files, pki, spec.cert, spec.key ?? spec.cert);
    // The process is not to notice: a live change compares what it runs with against these files.
    service.realised = { ...service.realised, filesDigest: await filesDigest(service.realised.config) };
    const certificate = renewedCertificate(pki, spec.cert);
    const message = `the renewal job rewrote ${basename(files.chainPath)} and ${basename(files.keyPath)}: ${certificate.subject}, serial ${certificate.serialNumber}, valid until ${certificate.notAfter}`;
    const event = { t: nowUs(), role: 'service', name, pid: service.child.pid, kind: 'files-renewed', message, certificate } satisfies ProcessEvent;
    this.startEvents.push(event);
    this.events.emit('process-event', event);
  }

  #emitProcess(event: Omit<ProcessEvent, 't'>): void {
    this.events.emit('process-event', { t: nowUs(), ...event } satisfies ProcessEvent);
  }

  #addKeylog(line: string): void {
    this.keylog.push(line);
    // Bounded like the tap: keys for connections whose bytes are long dropped decrypt nothing.
    if (this.keylog.length > maxKeylogLines) this.keylog.splice(0, maxKeylogLines / 10);
    this.events.emit('keylog', line);
  }

  /**
   * The connection the service's side closed last: s_server may print a verify error after
   * it has already closed the connection it refused (its stderr trails the alert it sent).
   */
  #lastServed(service: string): TapConnection | undefined {
    let last: TapConnection | undefined;
    for (const conn of this.tap.connections) {
      if (conn.service === service && conn.serviceClosedAt !== undefined && (last === undefined || conn.serviceClosedAt > last.serviceClosedAt!)) last = conn;
    }
    return last;
  }

  /**
   * Revocation is checked only when the lab revokes something or a CA declares its CRL: then
   * each CA's CRL is passed, one file each (Node's `crl` reads one CRL per entry).
   */
  #crlPaths(pki: Pki): string[] {
    const revokes = Object.values(this.#spec.pki).some((cert) => cert.revoked || cert.crl !== undefined);
    return revokes ? [...pki.crls.keys()].map((ca) => this.#materials!.crlPath(ca)) : [];
  }

  /**
   * openssl s_server has no option for a file of CRLs (`-CRL` reads one): it finds them in its
   * -CAfile, so for a lab that revokes, the trust anchors and every CA's CRL share that file.
   */
  async #trustWithCrls(name: string, trustPath: string, pki: Pki): Promise<string> {
    const file = join(this.dir, `service-${name}.trust-and-crls.pem`);
    const pems = [await readFile(trustPath, 'utf8'), ...pki.crls.values()];
    await writeFile(file, pems.map((pem) => pem.trimEnd() + '\n').join(''));
    return file;
  }

  async #serviceConfig(name: string, spec: ServiceSpec, pki: Pki, crlPaths: string[]): Promise<ServiceConfig> {
    const materials = this.#materials!;
    // Never reloaded since its files were renewed (renewedFiles.ts): it starts on its own copies, holding what it loaded then.
    const own = spec.loaded === undefined ? undefined : serviceFiles(this.dir, name);
    if (own) await writeLoaded(own, pki, spec.loaded!);
    const paths = own ? { cert: own.certPath, chain: own.chainPath } : materials.paths(spec.cert);
    // The key deployed beside the certificate: its own, or (`key:`) another certificate's.
    const keyPath = own?.keyPath ?? materials.paths(spec.key ?? spec.cert).key;
    let intermediatesPath: string | undefined;
    if (spec.stack === 'openssl' && spec.chain === 'full') {
      const intermediates = pemBlocks(pki.chainPem(spec.cert)).slice(1);
      if (intermediates.length) {
        intermediatesPath = join(this.dir, `service-${name}.intermediates.pem`);
        await writeFile(intermediatesPath, intermediates.join(''));
      }
    }
    let trustPath = spec.trust.length ? await materials.trustBundle(spec.trust) : undefined;
    const opensslChecksCrls = spec.stack === 'openssl' && crlPaths.length > 0 && trustPath !== undefined;
    if (opensslChecksCrls) trustPath = await this.#trustWithCrls(name, trustPath!, pki);
    return {
      name,
      stack: spec.stack,
      host: spec.host,
      address: this.address,
      certPath: paths.cert,
      keyPath,
      chainPath: spec.chain === 'full' ? paths.chain : paths.cert,
      ...(intermediatesPath ? { intermediatesPath } : {}),
      ...(trustPath ? { trustPath } : {}),
      crlPaths,
      ...(opensslChecksCrls ? { crlsInTrust: true } : {}),
      ...(spec.clockOffset !== undefined ? { verifyAtSeconds: Math.floor((Date.now() + relativeTimeMs(spec.clockOffset)) / 1000) } : {}),
      clientAuth: spec.clientAuth,
      mode: spec.mode,
      latencyMs: spec.latencyMs,
      ...(spec.maxConnections !== undefined ? { maxConnections: spec.maxConnections } : {}),
      ...(spec.tls ? { tls: spec.tls } : {}),
      ...(spec.allow !== undefined ? { allow: spec.allow.map((identity) => identity.replace(/^uri:/, '')) } : {}),
      ...(spec.certRequestSigalgs !== undefined ? { certRequestSigalgs: spec.certRequestSigalgs } : {}),
      keylogPath: join(this.dir, `service-${name}.keylog`),
    };
  }

  async #clientConfig(name: string, spec: ClientSpec, pki: Pki, crlPaths: string[]) {
    const materials = this.#materials!;
    const service = this.#spec.services[spec.calls]!;
    const port = this.tap.portOf(spec.calls)!;
    const paths = spec.cert === undefined ? undefined : materials.paths(spec.cert);
    // What the client presents: the leaf alone, or leaf + intermediates (`chain: full`);
    // curl --cert sends a whole file, so this one file is the client's identity.
    const cert = paths && (spec.chain === 'full' ? paths.chain : paths.cert);
    let chain: string | undefined;
    if (spec.cert !== undefined && spec.chain === 'full') {
      const intermediates = pemBlocks(pki.chainPem(spec.cert)).slice(1);
      if (intermediates.length) {
        chain = join(this.dir, `client-${name}.intermediates.pem`);
        await writeFile(chain, intermediates.join(''));
      }
    }
    const trust = spec.trust.length ? await materials.trustBundle(spec.trust) : undefined;
    const scheme = spec.protocol === 'plaintext' ? 'http' : 'https';
    const config: ClientConfig = {
      name,
      service: spec.calls,
      host: service.host,
      address: this.address,
      port,
      protocol: spec.protocol,
      path: spec.path,
      ...(cert && paths ? { certPath: cert, keyPath: paths.key } : {}),
      ...(trust ? { trustPath: trust } : {}),
      crlPaths,
      commonNameFallback: spec.commonNameFallback,
      ...(spec.tls ? { tls: spec.tls } : {}),
      pool: spec.pool,
      rps: spec.rps,
    };
    const described = {
      url: `${scheme}://${service.host}:${port}${spec.path}`,
      ...(cert && paths ? { cert, key: paths.key } : {}),
      ...(chain ? { chain } : {}),
      ...(trust ? { trust } : {}),
    };
    return { name, spec, config, described };
  }
}

/** `promise`, marked as handled for now: it is awaited later, and a child gone before then must not count as an unhandled rejection. */
function settledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
