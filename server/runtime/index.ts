/**
 * The runtime room: labs brought to life as sandboxes.
 *
 *   LabSpec ──startSandbox──▶ Sandbox   (services + clients as processes, client ⇄ tap ⇄ service)
 *   Sandbox.runTraffic ──▶ EdgeReport[]  ·  Sandbox.tap ──▶ recorded bytes  ·  stop / stopAllSandboxes
 */
export { startSandbox, stopAllSandboxes } from './sandbox.js';
export { describeChange } from './liveChange.js';
export type {
  ClientDescription,
  EdgeReport,
  ProcessEvent,
  Sandbox,
  SandboxDescription,
  SandboxOptions,
  ServiceDescription,
  SpecChange,
  TrafficOptions,
} from './types.js';
export { Tap, type TapChunk, type TapConnection, type TapMark, type TapObservation, type TapOptions } from './tap.js';
export { parseWireFault, wireFaultKinds, wireParamLimits, WireFaultError, type WireFaultInput, type WireFaultSpec } from './wireFaults/catalogue.js';
export type { WireDirection, WireMark } from './wireFaults/toxic.js';
export type { CreateTapObserver, ObservedChunk, ObservedConnection, TapObserver, TapObserverContext } from './tapObserver.js';
export { siblingModule } from './threadScript.js';
export { alertFromError, alertNames, formatAlert } from '../faults/alerts.js';
