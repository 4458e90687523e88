/**
 * Fault injection: throttling, 5xx answers, connection resets and latency,
 * per service and operation. Probabilistic faults draw from a seeded PRNG of
 * their own, so the same seed and the same sequence of calls give the same
 * faults on every run.
 */
import type { FaultKind } from './types.js';

export interface FaultSpec {
  /** Signing name, e.g. `sts`; any service when absent. */
  service?: string;
  /** Operation name, e.g. `GetCallerIdentity`; any operation when absent. */
  operation?: string;
  kind: FaultKind;
  /** Fire on at most this many matching calls (the first N, unless probability skips some). */
  count?: number;
  /** Chance (0-1) of firing on each matching call; 1 when absent. */
  probability?: number;
  /** Seed of this fault's PRNG; 1 when absent, so probabilistic runs are always reproducible. */
  seed?: number;
  /** For `latency`: how long to hold the request before handling it. */
  latencyMs?: number;
  /** For `server-error`: 500 InternalFailure (default) or 503 ServiceUnavailable. */
  status?: 500 | 503;
}

export interface ActiveFault extends FaultSpec {
  id: string;
  /** How many calls this fault has shaped so far. */
  fired: number;
}

/** What to do to one request: wait `latencyMs`, then answer with `outcome` (or handle it normally). */
export interface FaultDecision {
  latencyMs: number;
  outcome: ActiveFault | undefined;
}

export class FaultInjector {
  private readonly active: { fault: ActiveFault; random: () => number }[] = [];
  private nextId = 1;

  add(spec: FaultSpec): string {
    validate(spec);
    const fault: ActiveFault = { ...spec, id: `fault-${this.nextId++}`, fired: 0 };
    this.active.push({ fault, random: mulberry32(spec.seed ?? 1) });
    return fault.id;
  }

  remove(id: string): void {
    const index = this.active.findIndex((entry) => entry.fault.id === id);
    if (index >= 0) this.active.splice(index, 1);
  }

  clear(): void {
    this.active.length = 0;
  }

  list(): readonly ActiveFault[] {
    return this.active.map((entry) => ({ ...entry.fault }));
  }

  /**
   * Every matching latency fault adds its delay; the first matching
   * throttle / server-error / reset fault that fires decides the answer.
   */
  decide(service: string, operation: string): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, outcome: undefined };
    for (const { fault, random } of this.active) {
      if (!matches(fault, service, operation)) continue;
      if (fault.kind !== 'latency' && decision.outcome) continue;
      if (!fires(fault, random)) continue;
      fault.fired++;
      if (fault.kind === 'latency') decision.latencyMs += fault.latencyMs ?? 0;
      else decision.outcome = fault;
    }
    return decision;
  }
}

function matches(fault: ActiveFault, service: string, operation: string): boolean {
  return (
    (fault.service === undefined || fault.service === service) &&
    (fault.operation === undefined || fault.operation === operation)
  );
}

function fires(fault: ActiveFault, random: () => number): boolean {
  if (fault.count !== undefined && fault.fired >= fault.count) return false;
  return fault.probability === undefined || random() < fault.probability;
}

function validate(spec: FaultSpec): void {
  if (spec.probability !== undefined && !(spec.probability >= 0 && spec.probability <= 1)) {
    throw new Error(`Fault probability must be between 0 and 1, got ${spec.probability}`);
  }
  if (spec.kind === 'latency' && !(spec.latencyMs !== undefined && spec.latencyMs >= 0)) {
    throw new Error('A latency fault needs latencyMs');
  }
}

/** A small, well-known 32-bit PRNG: enough to make "30% of calls" reproducible. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
