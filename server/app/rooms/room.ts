/**
 * A team incident drill: a facilitator's room that learners join by code, each working their
 * own sandbox of the scenario (isolated) or one the room shares, on the room's clock.
 *
 *   open ──start──▶ running ⇄ pause/resume ──end (or the clock reaches its length)──▶ ended
 *   join (participants 'joined') ──▶ a member; once started, their sandbox at once (and the incidents on everyone in effect)
 *   timeline steps ──RoomClock.at──▶ inject / clear (incidents.ts) ── a pause holds them
 *   facilitator ──inject / clear──▶ the same incidents, live in each target's LabSession
 *   any change (a join, a standing, the clock, an incident, a step) ──once per tick──▶ 'change'
 *   end ──▶ clock stopped, findings kept, every sandbox stopped, invites revoked; the postmortem stays
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { FaultSpec } from '../../lab/schema.js';
import { ApiError, type ErrorLogger } from '../errors.js';
import type { LabSession } from '../labSession.js';
import { newLearnerId } from '../learners.js';
import type { Participant, Participants } from '../participants.js';
import type { Incident, Postmortem, RoomConsole, RoomLearnerView, RoomState, RoomSummary, TimelineStep } from '../protocol.js';
import type { WarmPool } from '../../runtime/warmPool.js';
import type { SandboxRegistry } from '../sandboxRegistry.js';
import { RoomIncidents } from './incidents.js';
import { postmortemOf } from './postmortem.js';
import { RoomClock } from './roomClock.js';
import type { RoomSettings } from './roomInput.js';
import { labsOf, learnerRow, traceFindings, type RoomMember } from './standing.js';
import { roomTargets } from './targets.js';

export interface RoomDeps {
  registry: SandboxRegistry;
  participants: Participants;
  logger: ErrorLogger;
  /** Warmed for the room's members while they join, so that its start takes no spawn (runtime/warmPool.ts). */
  warmPool: WarmPool;
}

/** Learners one room holds: a team, or a class. */
export const maxRoomLearners = 64;

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class Room {
  readonly id = randomBytes(6).toString('base64url');
  readonly code: string;
  /** 'change' once per tick after anything the console or a learner's view shows moved. */
  readonly changes = new EventEmitter();
  readonly #settings: RoomSettings;
  readonly #deps: RoomDeps;
  readonly #clock = new RoomClock();
  readonly #incidents: RoomIncidents;
  readonly #members = new Map<string, RoomMember>();
  /** Timeline inject step id → the incident it injects (undefined if it could not): a clear step waits for its inject to finish. */
  readonly #fired = new Map<string, Promise<string | undefined>>();
  /** The shared sandbox's standing moved. */
  readonly #onStanding = (): void => this.#changed();
  #state: RoomState = 'open';
  #terminal: boolean;
  /** Shared mode: the room's one sandbox, owned by the room itself. */
  #shared: LabSession | undefined;
  #endedAt: number | undefined;
  #scheduled = false;

  constructor(settings: RoomSettings, deps: RoomDeps) {
    this.#settings = settings;
    this.#deps = deps;
    this.#terminal = settings.terminal;
    this.#incidents = new RoomIncidents(deps.logger);
    this.changes.setMaxListeners(0);
    this.code = deps.participants.invite({ role: 'learner', scope: this.id, short: true, terminal: settings.terminal, seats: maxRoomLearners });
    this.#warmForStart();
  }

  get state(): RoomState {
    return this.#state;
  }

  /** Whether `participant` joined this room. */
  has(participant: Participant): boolean {
    return participant.scope === this.id && this.#members.has(participant.id);
  }

  join(participant: Participant): void {
    if (this.#state === 'ended' || participant.scope !== this.id || participant.role !== 'learner' || this.#members.has(participant.id)) return;
    const member: RoomMember = { id: participant.id, name: participant.name, learner: participant.learner, lab: this.#settings.labs[0]!.spec.id, labIndex: 0, past: [] };
    this.#members.set(member.id, member);
    this.#changed();
    if (this.#clock.started) void this.#startFor(member);
    else this.#warmForStart();
  }

  /** Starts the clock, the timeline and every learner's sandbox; a room already started is left as it is. */
  async start(): Promise<void> {
    this.#refuseEnded();
    if (this.#clock.started) return;
    this.#state = 'running';
    this.#clock.start();
    for (const step of this.#settings.timeline) this.#clock.at(step.atS * 1000, () => void this.#fire(step));
    this.#clock.at(this.#settings.durationMs, () => void this.end().catch((error: unknown) => this.#deps.logger.error(`room ${this.id} did not end at the end of its time`, error)));
    this.#changed();
    if (this.#settings.mode === 'shared') await this.#startShared();
    await Promise.all([...this.#members.values()].map((member) => this.#startFor(member)));
    // What was warmed is taken; a learner joining from now on starts on the server's own pool.
    this.#deps.warmPool.release(this.id);
  }

  pause(): void {
    this.#refuseEnded();
    if (!this.#clock.started) throw new ApiError('ROOM_NOT_STARTED');
    this.#clock.pause();
    this.#state = 'paused';
    this.#changed();
  }

  resume(): void {
    this.#refuseEnded();
    if (!this.#clock.started) throw new ApiError('ROOM_NOT_STARTED');
    this.#clock.resume();
    this.#state = 'running';
    this.#changed();
  }

  /** Ends for good: what the traces showed is kept, then every sandbox stops and the invitation with its tokens is revoked. */
  async end(): Promise<void> {
    this.#refuseEnded();
    this.#state = 'ended';
    this.#clock.stop();
    this.#endedAt = Date.now();
    for (const member of this.#members.values()) member.findings = traceFindings(member.session?.verdicts() ?? []);
    this.#deps.participants.revoke(this.id);
    await this.close();
    this.#changed();
  }

  /** Timers cleared, every sandbox of the room stopped (an app closing, or the room's end). */
  async close(): Promise<void> {
    this.#clock.stop();
    this.#deps.warmPool.release(this.id);
    const sessions = new Set([...this.#members.values()].flatMap((member) => member.session ?? []));
    if (this.#shared) sessions.add(this.#shared);
    const results = await Promise.allSettled([...sessions].map((session) => this.#deps.registry.stop(session.id, 'stopped')));
    const failed = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed.length > 0) throw new AggregateError(failed.map((result) => result.reason), `room ${this.id}: ${failed.length} sandbox(es) did not stop cleanly`);
  }

  async inject(fault: FaultSpec, who: string): Promise<Incident> {
    this.#refuseEnded();
    const incident = await this.#incidents.inject(fault, who, this.#targets(who), this.#clock.elapsedMs(), false);
    this.#changed();
    return incident;
  }

  async clear(incident: string): Promise<Incident> {
    this.#refuseEnded();
    const cleared = await this.#incidents.clear(incident, this.#clock.elapsedMs());
    this.#changed();
    return cleared;
  }

  setTerminal(allowed: boolean): void {
    this.#refuseEnded();
    this.#terminal = allowed;
    this.#deps.participants.setTerminal(this.id, allowed);
    this.#changed();
  }

  console(): RoomConsole {
    return {
      id: this.id,
      code: this.code,
      joinPath: `/join/${this.code}`,
      title: this.#settings.title,
      state: this.#state,
      elapsedMs: this.#clock.elapsedMs(),
      durationMs: this.#settings.durationMs,
      scenario: structuredClone(this.#settings.scenario),
      mode: this.#settings.mode,
      terminal: this.#terminal,
      learners: [...this.#members.values()].map((member) => learnerRow(member, this.#roomMs)),
      incidents: this.#incidents.list(),
      timeline: structuredClone(this.#settings.timeline),
      targets: roomTargets(this.#settings.labs),
    };
  }

  /** What a learner of the room sees: their own sandbox, everyone's standing, nobody's sandbox id or answers. */
  learnerView(participant: Participant): RoomLearnerView {
    const member = this.#members.get(participant.id);
    if (!member || !this.has(participant)) throw new ApiError('ROOM_NOT_FOUND', `"${this.id}"`);
    const scoreboard = [...this.#members.values()]
      .map((each) => learnerRow(each, this.#roomMs))
      .map((row) => ({ name: row.name, score: row.score, diagnosed: row.diagnosis === 'correct' || row.incidents.some((incident) => incident.detectedMs !== undefined), verified: row.verified }))
      .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
    return {
      id: this.id,
      title: this.#settings.title,
      state: this.#state,
      elapsedMs: this.#clock.elapsedMs(),
      durationMs: this.#settings.durationMs,
      ...(member.session ? { sandbox: member.session.id } : {}),
      lab: member.lab,
      scoreboard,
    };
  }

  summary(): RoomSummary {
    return { id: this.id, title: this.#settings.title, state: this.#state, learners: this.#members.size, elapsedMs: this.#clock.elapsedMs(), durationMs: this.#settings.durationMs };
  }

  postmortem(): Postmortem {
    const startedAt = this.#clock.startedAt;
    return postmortemOf({
      room: {
        id: this.id,
        title: this.#settings.title,
        state: this.#state,
        scenario: structuredClone(this.#settings.scenario),
        mode: this.#settings.mode,
        durationMs: this.#settings.durationMs,
        elapsedMs: this.#clock.elapsedMs(),
        ...(startedAt !== undefined ? { startedAt: new Date(startedAt).toISOString() } : {}),
        ...(this.#endedAt !== undefined ? { endedAt: new Date(this.#endedAt).toISOString() } : {}),
      },
      incidents: this.#incidents.list(),
      learners: [...this.#members.values()].flatMap((member) => labsOf(member, this.#roomMs)),
      labs: this.#settings.labs,
      roomMs: this.#roomMs,
    });
  }

  readonly #roomMs = (wallMs: number): number => this.#clock.elapsedAt(wallMs);

  /** A learner solved their lab and the scenario has another: they move on to it, in a fresh sandbox; the solved one stops. */
  async #advance(member: RoomMember, solved: LabSession): Promise<void> {
    if (member.session !== solved || this.#state === 'ended') return;
    member.past.push({ row: learnerRow(member, this.#roomMs), records: solved.incidentRecords(), findings: traceFindings(solved.verdicts()) });
    delete member.session;
    member.labIndex++;
    member.lab = this.#settings.labs[member.labIndex]!.spec.id;
    await this.#startFor(member);
    await this.#deps.registry.stop(solved.id, 'stopped');
  }

  /** A learner's sandbox moved: the console follows, and a solved lab with another after it moves them on. */
  #standingOf(member: RoomMember, session: LabSession): void {
    this.#changed();
    const next = member.labIndex + 1 < this.#settings.labs.length;
    if (next && member.session === session && session.standing().completed) {
      void this.#advance(member, session).catch((error: unknown) => this.#deps.logger.error(`room ${this.id}: ${member.id} did not move on to the next lab`, error));
    }
  }

  #refuseEnded(): void {
    if (this.#state === 'ended') throw new ApiError('ROOM_ENDED', `"${this.id}"`);
  }

  /** The running sandboxes an incident on `who` goes into. */
  #targets(who: string): LabSession[] {
    if (this.#shared) return this.#shared.status === 'running' ? [this.#shared] : [];
    if (who === 'all') return [...this.#members.values()].flatMap((member) => (member.session?.status === 'running' ? [member.session] : []));
    const member = this.#members.get(who);
    if (!member) throw new ApiError('BAD_REQUEST', `"who" must be "all" or a learner of this room (its participant id); "${who.slice(0, 100)}" is neither`);
    return member.session?.status === 'running' ? [member.session] : [];
  }

  async #fire(step: TimelineStep): Promise<void> {
    step.firedMs = this.#clock.elapsedMs();
    try {
      if (step.action === 'inject') {
        const injecting = this.#incidents.inject({ kind: step.kind!, ...(step.target !== undefined ? { target: step.target } : {}), params: step.params ?? {} }, step.who, this.#targets(step.who), step.firedMs, true);
        this.#fired.set(step.id, injecting.then((incident) => incident.id, () => undefined));
        step.firedIncident = (await injecting).id;
      } else {
        const incident = await this.#fired.get(step.incident!);
        if (incident === undefined) throw new ApiError('INCIDENT_NOT_FOUND', `step ${step.incident} injected nothing`);
        await this.#incidents.clear(incident, step.firedMs);
        step.firedIncident = incident;
      }
    } catch (error) {
      step.error = message(error);
    }
    this.#changed();
  }

  async #startShared(): Promise<void> {
    try {
      this.#shared = await this.#deps.registry.start(this.#settings.labs[0]!.spec.id, { owner: newLearnerId(), learner: this.#settings.title, hideInjections: true });
      this.#shared.events.on('standing', this.#onStanding);
    } catch (error) {
      this.#deps.logger.error(`room ${this.id}: its shared sandbox did not start`, error);
    }
  }

  /** A learner's sandbox: their own (isolated), or the room's (shared); the incidents on everyone in effect go into a new one. */
  async #startFor(member: RoomMember): Promise<void> {
    if (member.session) return;
    if (this.#settings.mode === 'shared') {
      if (this.#shared) {
        this.#shared.shareWith(member.learner);
        member.session = this.#shared;
      } else member.error = 'the room\'s shared sandbox did not start';
      return this.#changed();
    }
    try {
      const session = await this.#deps.registry.start(member.lab, { owner: member.learner, learner: member.name, hideInjections: true });
      // The incidents on everyone first: the learner's sandbox shows up with them already in.
      await this.#incidents.reach(session);
      // The room ended while it started: it would outlive the room.
      if (this.#state === 'ended') return void (await this.#deps.registry.stop(session.id, 'stopped'));
      member.session = session;
      delete member.error;
      session.events.on('standing', () => this.#standingOf(member, session));
    } catch (error) {
      member.error = message(error);
    }
    this.#changed();
  }

  /** Before the start: the processes its sandboxes will take (one each, or the one shared), kept warm. */
  #warmForStart(): void {
    const sandboxes = this.#settings.mode === 'shared' ? 1 : this.#members.size;
    const { services, clients } = this.#settings.labs[0]!.spec;
    this.#deps.warmPool.reserve(this.id, { serviceMain: sandboxes * Object.keys(services).length, clientMain: sandboxes * Object.keys(clients).length });
  }

  #changed(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.changes.emit('change');
    });
  }
}
