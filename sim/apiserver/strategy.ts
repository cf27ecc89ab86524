import type { Rng } from '../util/rng.ts';
import type { FieldError } from './errors.ts';
import type { ObjectStore } from './store.ts';
import type { KObject } from './types.ts';

/** What a resource's strategy sees: the virtual time and the seeded random source. */
export interface StrategyContext {
  nowMs: number;
  now: string;
  rng: Rng;
  /** The stored objects, for strategies that look at others (service IP allocation, default StorageClass). */
  store?: ObjectStore;
  /** True for a dry-run write (nothing is persisted). */
  dryRun?: boolean;
}

/**
 * How one resource is created, updated and deleted, as a registry strategy does it in the real API server:
 * defaulting, validation, which fields the main resource and its status subresource own, graceful deletion.
 */
export interface Strategy {
  /** Name rule; a lowercase RFC 1123 subdomain unless a resource says otherwise. */
  validateName?(name: string): string[];
  /** True when the object has a status that the main resource's writes do not change. */
  hasStatus?: boolean;
  /** True when metadata.generation follows changes of the spec. */
  tracksGeneration?: boolean;
  /** Fills in defaults (on create and update, as the decoding defaulter does). */
  defaults?(obj: KObject, ctx: StrategyContext): void;
  /** Server-set fields on create (e.g. a pod's initial status). */
  prepareForCreate?(obj: KObject, ctx: StrategyContext): void;
  validate?(obj: KObject, ctx: StrategyContext): FieldError[];
  validateUpdate?(obj: KObject, old: KObject, ctx: StrategyContext): FieldError[];
  /** Seconds of graceful deletion for this object, or 0 to delete at once. */
  deleteGracePeriod?(obj: KObject, requested: number | undefined): number;
}
