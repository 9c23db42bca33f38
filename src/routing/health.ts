// Provider health: consecutive failures, cooldowns, probes and half-open trials, disabled targets. Clock injected.
// Kept behind HealthStore; in memory by default, shared by several instances through Redis (state/shared-health.ts).
import type { FailureKind } from "../api/errors.ts";

export interface Target {
  providerId: string;
  model: string;
}

export interface HealthPolicy {
  failureThreshold: number;
  cooldownMs: number;
  /**
   * While a target is out for transient failures, one live request may try it this often: a target that recovers
   * is back within one interval instead of waiting out the whole cooldown.
   */
  probeIntervalMs: number;
}

export const DEFAULT_HEALTH_POLICY: HealthPolicy = {
  failureThreshold: 3,
  cooldownMs: 5 * 60 * 1000,
  probeIntervalMs: 10_000,
};
/** How long a 429 without any hint keeps a target out. */
export const DEFAULT_RATE_LIMIT_COOLDOWN_MS = 60_000;

export interface FailureReport {
  kind: FailureKind;
  status: number;
  message: string;
  /** For rate limits: how long the upstream asked us to wait. */
  retryAfterMs?: number;
  /** Counts on the whole provider (connection refused, bad key), not only this model. */
  providerWide?: boolean;
}

/**
 * What one attempt says about its target. `neutral`: nothing (the client's own request was refused, the client
 * left, the gateway failed); it still ends the target's probe or trial, so the next request may try it.
 */
export type Outcome = { kind: "success" } | { kind: "failure"; report: FailureReport } | { kind: "neutral" };

export type HealthState = "healthy" | "cooling_down" | "half_open" | "disabled";

export interface EntryStatus {
  state: HealthState;
  consecutive_failures: number;
  cooldown_until?: string;
  /** While cooling down for transient failures: when a live request may next try it. */
  next_probe_at?: string;
  disabled_reason?: string;
  last_error?: { status: number; message: string; at: string };
}

export interface Availability {
  available: boolean;
  /**
   * This request is the target's probe (during a cooldown) or trial (after it): the one attempt that decides
   * whether it is back. Its outcome must be recorded with this token, which alone ends the probe; it gets no retry
   * on the same target.
   */
  probe?: number;
  /** When an unavailable target may be tried again (ms since the epoch); absent when disabled. */
  until?: number;
  /** The target is out because an upstream rate limit asked for it. */
  rateLimited?: boolean;
  /** Out until the config changes (a refused key, an unknown model): the upstream's status and reason. */
  disabled?: { status: number; reason: string };
}

export interface HealthStore {
  /** Whether the target may be tried now; may make this request the target's probe (`probe: true`). */
  availability(target: Target, policy: HealthPolicy): Availability;
  /**
   * Before a probe goes: whether it is the one probe of all the instances sharing this health. False leaves the
   * target to another instance's probe, whose outcome reaches this one; in memory, always true.
   */
  claimProbe(target: Target, probe: number, policy: HealthPolicy): boolean | Promise<boolean>;
  /**
   * The one place an attempt's outcome lands: counts and cooldowns. `probe` is the token availability gave the
   * attempt, if it was the probe: only that attempt's outcome ends the probe in flight.
   */
  record(target: Target, outcome: Outcome, policy: HealthPolicy, probe?: number): void;
  /** Snapshot for GET / and /health: per provider and per "provider/model". */
  snapshot(): { providers: Record<string, EntryStatus>; targets: Record<string, EntryStatus> };
  /**
   * After a config reload: forgets what it knows of providers no longer configured; every provider still there
   * keeps its counts, cooldowns and probes.
   */
  retain(providerIds: ReadonlySet<string>): void;
}

interface Entry {
  failures: number;
  /** Out of rotation until then (ms); 0 when not out. */
  outUntil: number;
  rateLimited: boolean;
  /** During a transient cooldown: the earliest time a probe may go. */
  nextProbeAt: number;
  /** The cooldown has run out: the next request is the trial, and one failure starts a new cooldown. */
  halfOpen: boolean;
  /** When the probe or trial in flight was let through; others wait for its outcome (or PROBE_TIMEOUT_MS). */
  probeSince: number | undefined;
  /** The token of that probe: only its own outcome ends it. */
  probe: number | undefined;
  disabled?: { status: number; reason: string };
  lastError?: { status: number; message: string; at: number };
}

/**
 * A probe whose outcome never came back stops blocking others after this. Every attempt records its outcome, so
 * this is a safety net only: attempts are bounded by their own deadlines, all far shorter.
 */
export const PROBE_TIMEOUT_MS = 60_000;
/** Targets remembered at most; client-chosen model names must not grow memory without bound. */
export const MAX_TRACKED_TARGETS = 2_000;

/** The answer for every target with no record: shared, as most requests get it. */
const AVAILABLE: Availability = Object.freeze({ available: true });
/** What peek says of an entry that would let a probe through; the token is made only when it is granted. */
const PROBE: Availability = Object.freeze({ available: true, probe: 0 });

function newEntry(): Entry {
  return {
    failures: 0,
    outUntil: 0,
    rateLimited: false,
    nextProbeAt: 0,
    halfOpen: false,
    probeSince: undefined,
    probe: undefined,
  };
}

const probeInFlight = (entry: Entry, now: number) =>
  entry.probeSince !== undefined && now - entry.probeSince < PROBE_TIMEOUT_MS;

/** What an entry says now, without changing it: availability asks both entries first, then grants a probe. */
function peek(entry: Entry | undefined, now: number, policy: HealthPolicy): Availability {
  if (!entry) return AVAILABLE;
  if (entry.disabled !== undefined) return { available: false, disabled: entry.disabled };
  if (entry.outUntil > now) {
    // A rate limit's wait is the upstream's own word: never probed early.
    if (entry.rateLimited) return { available: false, until: entry.outUntil, rateLimited: true };
    if (!probeInFlight(entry, now) && now >= entry.nextProbeAt) return PROBE;
    const nextChance = entry.nextProbeAt > now ? entry.nextProbeAt : now + policy.probeIntervalMs;
    return { available: false, until: Math.min(entry.outUntil, nextChance) };
  }
  if (entry.outUntil > 0 || entry.halfOpen) {
    if (!probeInFlight(entry, now)) return PROBE;
    // The trial in flight decides within its deadlines; a client told to come back is told "soon".
    return { available: false, until: now + policy.probeIntervalMs };
  }
  return AVAILABLE;
}

function grantProbe(entry: Entry | undefined, now: number, token: number): void {
  if (!entry) return;
  if (entry.outUntil > 0 && entry.outUntil <= now) {
    entry.outUntil = 0;
    entry.halfOpen = true;
  }
  entry.probeSince = now;
  entry.probe = token;
}

/** Ends the entry's probe if `token` is its own. */
function endProbe(entry: Entry | undefined, token: number | undefined): boolean {
  if (!entry || token === undefined || entry.probe !== token) return false;
  entry.probeSince = undefined;
  entry.probe = undefined;
  return true;
}

function recover(entry: Entry | undefined): void {
  if (!entry) return;
  entry.failures = 0;
  entry.halfOpen = false;
  entry.probeSince = undefined;
  entry.probe = undefined;
  entry.outUntil = 0;
  entry.rateLimited = false;
}

/** Out for a transient outage: the full cooldown, with probes every interval from now. */
function coolDown(entry: Entry, now: number, policy: HealthPolicy): void {
  entry.outUntil = now + policy.cooldownMs;
  entry.nextProbeAt = now + policy.probeIntervalMs;
  entry.rateLimited = false;
  entry.halfOpen = false;
}

/**
 * A probe or trial that failed, whichever entry the failure itself was filed on (a reset on a model's trial counts
 * on the provider): after the cooldown a new one of the configured length starts; during it, the next probe waits
 * an interval, and the cooldown is not lengthened.
 */
function probeFailed(
  entry: Entry | undefined,
  token: number | undefined,
  now: number,
  policy: HealthPolicy,
): void {
  if (!entry || !endProbe(entry, token)) return;
  if (entry.halfOpen) coolDown(entry, now, policy);
  else if (entry.outUntil > now) entry.nextProbeAt = now + policy.probeIntervalMs;
}

function fail(
  entry: Entry,
  failure: FailureReport,
  policy: HealthPolicy,
  now: number,
  token: number | undefined,
): void {
  entry.lastError = { status: failure.status, message: failure.message, at: now };
  const wasProbe = endProbe(entry, token);
  if (failure.kind === "misconfigured") {
    entry.disabled = { status: failure.status, reason: `HTTP ${failure.status}: ${failure.message}` };
    return;
  }
  if (failure.kind === "rate_limited") {
    entry.outUntil = now + (failure.retryAfterMs ?? DEFAULT_RATE_LIMIT_COOLDOWN_MS);
    entry.rateLimited = true;
    entry.halfOpen = false;
    return;
  }
  entry.failures += 1;
  // Another request's probe is in flight: its outcome decides, not this late report from before it.
  if (!wasProbe && probeInFlight(entry, now)) return;
  if (entry.halfOpen) coolDown(entry, now, policy);
  else if (entry.outUntil > now) {
    // Out already (a probe, or a request that started before the cooldown): the next probe waits an interval.
    if (wasProbe && !entry.rateLimited) entry.nextProbeAt = now + policy.probeIntervalMs;
  } else if (entry.failures >= policy.failureThreshold) coolDown(entry, now, policy);
}

function status(entry: Entry, now: number): EntryStatus {
  const out: EntryStatus = { state: "healthy", consecutive_failures: entry.failures };
  if (entry.disabled !== undefined) {
    out.state = "disabled";
    out.disabled_reason = entry.disabled.reason;
  } else if (entry.outUntil > now) {
    out.state = "cooling_down";
    out.cooldown_until = new Date(entry.outUntil).toISOString();
    if (!entry.rateLimited) {
      out.next_probe_at = new Date(Math.min(Math.max(entry.nextProbeAt, now), entry.outUntil)).toISOString();
    }
  } else if (entry.halfOpen || entry.outUntil > 0) {
    out.state = "half_open";
  }
  if (entry.lastError) {
    out.last_error = {
      status: entry.lastError.status,
      message: entry.lastError.message,
      at: new Date(entry.lastError.at).toISOString(),
    };
  }
  return out;
}

/**
 * What instances that start or rejoin may learn of an entry: its failures, cooldown and reason. A disabled target
 * is not among it: that is the answer to this instance's config, which a restart with a fixed config must retry.
 */
export interface SharedEntry {
  failures: number;
  /** Out of rotation until then (ms); 0 when not out. */
  outUntil: number;
  rateLimited: boolean;
  nextProbeAt: number;
  lastError?: { status: number; message: string; at: number };
}

/** An entry as kept for the others: on a provider or a "provider/model", until `until` (ms), or none to keep. */
export interface SharedEntryAt {
  scope: "provider" | "target";
  id: string;
  entry: SharedEntry | undefined;
  until: number;
}

/** The in-memory store, with what a shared store needs of it to replay what other instances saw. */
export interface MemoryHealthStore extends HealthStore {
  /**
   * Another instance's outcome on `target`, landing as it did there; `wasProbe`: it was that instance's probe or
   * trial, which this one waited for.
   */
  recordPeer(target: Target, outcome: Outcome, policy: HealthPolicy, wasProbe: boolean): void;
  /** Something is known against the target or its provider (failures, a cooldown, a probe): a success is news. */
  troubled(target: Target): boolean;
  /** The provider's and the target's entries as the others may keep them, after an outcome. */
  shareable(target: Target, policy: HealthPolicy): [SharedEntryAt, SharedEntryAt];
  /** Every entry out of rotation now, for a Redis that lost them (a restart). */
  cooling(): SharedEntryAt[];
  /** What another instance kept of an entry: the later cooldown and the higher count win. */
  adopt(scope: SharedEntryAt["scope"], id: string, entry: SharedEntry): void;
}

function shareableEntry(entry: Entry | undefined): SharedEntry | undefined {
  if (!entry || (entry.failures === 0 && entry.outUntil === 0)) return undefined;
  return {
    failures: entry.failures,
    outUntil: entry.outUntil,
    rateLimited: entry.rateLimited,
    nextProbeAt: entry.nextProbeAt,
    ...(entry.lastError ? { lastError: entry.lastError } : {}),
  };
}

/** How long the others keep an entry: its cooldown's end, or a cooldown's length for a count of failures. */
function keptUntil(entry: SharedEntry | undefined, now: number, policy: HealthPolicy): number {
  if (!entry) return 0;
  if (entry.outUntil > now) return entry.outUntil;
  return entry.failures > 0 ? now + policy.cooldownMs : 0;
}

function adoptInto(entry: Entry, shared: SharedEntry): void {
  if (shared.outUntil > entry.outUntil) {
    entry.outUntil = shared.outUntil;
    entry.rateLimited = shared.rateLimited;
    entry.nextProbeAt = shared.nextProbeAt;
    entry.halfOpen = false;
  }
  entry.failures = Math.max(entry.failures, shared.failures);
  if (shared.lastError && (!entry.lastError || shared.lastError.at > entry.lastError.at)) {
    entry.lastError = shared.lastError;
  }
}

/** The token a peer's probe stands in with here; handed-out tokens start at 1. */
const PEER_PROBE = -1;

const isTroubled = (entry: Entry | undefined) =>
  entry !== undefined &&
  (entry.failures > 0 ||
    entry.outUntil > 0 ||
    entry.halfOpen ||
    entry.probe !== undefined ||
    entry.disabled !== undefined);

export function createMemoryHealthStore(clock: () => number): MemoryHealthStore {
  /** Probe tokens handed out so far. */
  let probes = 0;
  const providers = new Map<string, Entry>();
  const targets = new Map<string, Entry>();
  const targetKey = (target: Target) => `${target.providerId}/${target.model}`;

  function get(map: Map<string, Entry>, key: string): Entry {
    let entry = map.get(key);
    if (!entry) {
      if (map.size >= MAX_TRACKED_TARGETS) {
        // Forget the oldest entry that is not out of service; Map keeps insertion order.
        for (const [oldKey, old] of map) {
          if (old.disabled === undefined && old.outUntil === 0 && old.probe === undefined) {
            map.delete(oldKey);
            break;
          }
        }
      }
      entry = newEntry();
      map.set(key, entry);
    }
    return entry;
  }

  const store: MemoryHealthStore = {
    availability(target, policy) {
      // Nothing has failed since start: the common case, no lookups.
      if (providers.size === 0 && targets.size === 0) return AVAILABLE;
      const now = clock();
      const providerEntry = providers.get(target.providerId);
      const onProvider = peek(providerEntry, now, policy);
      if (!onProvider.available) return onProvider;
      const targetEntry = targets.get(targetKey(target));
      const onTarget = peek(targetEntry, now, policy);
      if (!onTarget.available) return onTarget;
      // Both let it through: only now is the probe granted, so a probe is never taken and left unused.
      if (onProvider.probe === undefined && onTarget.probe === undefined) return AVAILABLE;
      const token = ++probes;
      if (onProvider.probe !== undefined) grantProbe(providerEntry, now, token);
      if (onTarget.probe !== undefined) grantProbe(targetEntry, now, token);
      return { available: true, probe: token };
    },
    claimProbe: () => true,
    recordPeer(target, outcome, policy, wasProbe) {
      if (!wasProbe) return store.record(target, outcome, policy);
      // This instance held back for that probe: its outcome ends the wait here as it ended the probe there.
      const now = clock();
      for (const entry of [providers.get(target.providerId), targets.get(targetKey(target))]) {
        if (entry && (entry.outUntil > 0 || entry.halfOpen)) grantProbe(entry, now, PEER_PROBE);
      }
      store.record(target, outcome, policy, PEER_PROBE);
    },
    shareable(target, policy) {
      const now = clock();
      const at = (scope: SharedEntryAt["scope"], id: string, found: Entry | undefined): SharedEntryAt => {
        const entry = shareableEntry(found);
        const until = keptUntil(entry, now, policy);
        return until > now ? { scope, id, entry, until } : { scope, id, entry: undefined, until: 0 };
      };
      const id = targetKey(target);
      return [
        at("provider", target.providerId, providers.get(target.providerId)),
        at("target", id, targets.get(id)),
      ];
    },
    cooling() {
      const now = clock();
      const out: SharedEntryAt[] = [];
      for (const [scope, map] of [
        ["provider", providers],
        ["target", targets],
      ] as const) {
        for (const [id, found] of map) {
          const entry = shareableEntry(found);
          if (entry && entry.outUntil > now) out.push({ scope, id, entry, until: entry.outUntil });
        }
      }
      return out;
    },
    adopt(scope, id, entry) {
      if (entry.failures === 0 && entry.outUntil <= clock()) return;
      adoptInto(get(scope === "provider" ? providers : targets, id), entry);
    },
    troubled(target) {
      if (providers.size === 0 && targets.size === 0) return false;
      return isTroubled(providers.get(target.providerId)) || isTroubled(targets.get(targetKey(target)));
    },
    record(target, outcome, policy, probe) {
      if (providers.size === 0 && targets.size === 0 && outcome.kind !== "failure") return;
      const providerEntry = providers.get(target.providerId);
      const targetEntry = targets.get(targetKey(target));
      if (outcome.kind === "success") {
        recover(providerEntry);
        recover(targetEntry);
        return;
      }
      if (outcome.kind === "neutral") {
        endProbe(providerEntry, probe);
        endProbe(targetEntry, probe);
        return;
      }
      const now = clock();
      const { report } = outcome;
      const filedOn = report.providerWide
        ? get(providers, target.providerId)
        : get(targets, targetKey(target));
      fail(filedOn, report, policy, now, probe);
      // An answer that is the model's own (any HTTP status) proves the provider reachable again.
      if (!report.providerWide && providerEntry && !providerEntry.disabled) recover(providerEntry);
      else if (filedOn !== providerEntry) probeFailed(providerEntry, probe, now, policy);
      if (filedOn !== targetEntry) probeFailed(targetEntry, probe, now, policy);
    },
    retain(providerIds) {
      for (const key of providers.keys()) if (!providerIds.has(key)) providers.delete(key);
      for (const key of targets.keys()) {
        if (!providerIds.has(key.slice(0, key.indexOf("/")))) targets.delete(key);
      }
    },
    snapshot() {
      const now = clock();
      const out = {
        providers: {} as Record<string, EntryStatus>,
        targets: {} as Record<string, EntryStatus>,
      };
      for (const [key, entry] of providers) out.providers[key] = status(entry, now);
      for (const [key, entry] of targets) out.targets[key] = status(entry, now);
      return out;
    },
  };
  return store;
}
