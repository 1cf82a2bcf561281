// Validation of supervisor flags and child specs, filling in OTP's defaults. A bad spec is a typed
// GOV_BAD_CHILD_SPEC error naming the child and the problem; bad flags are GOV_BAD_ARGUMENT.
import { GovernessError, RuntimeErrors } from '../../errors/index.js';
import { brief } from '../statem/describe.js';
import type {
  AutoShutdown,
  ChildId,
  ChildSpec,
  NormalizedChildSpec,
  NormalizedFlags,
  SupervisorFlags,
} from './types.js';

const STRATEGIES = ['one_for_one', 'one_for_all', 'rest_for_one', 'simple_one_for_one'];
const AUTO_SHUTDOWN = ['never', 'any_significant', 'all_significant'];
const RESTART_TYPES = ['permanent', 'transient', 'temporary'];
const CHILD_TYPES = ['worker', 'supervisor'];

function badFlag(argument: string, problem: string): GovernessError {
  return new GovernessError(RuntimeErrors.badArgument, { argument: `flags.${argument}`, problem });
}

/** Fills in and checks supervisor flags (SUP-01). */
export function normalizeFlags(flags: SupervisorFlags | undefined): NormalizedFlags {
  const f = flags ?? {};
  const strategy = f.strategy ?? 'one_for_one';
  const intensity = f.intensity ?? 1;
  const period = f.period ?? 5;
  const autoShutdown = f.autoShutdown ?? 'never';
  if (!STRATEGIES.includes(strategy)) throw badFlag('strategy', `${brief(strategy)} is not a strategy`);
  if (!Number.isInteger(intensity) || intensity < 0) {
    throw badFlag('intensity', `${brief(intensity)} is not a non-negative integer`);
  }
  if (!Number.isInteger(period) || period < 1) {
    throw badFlag('period', `${brief(period)} is not a positive integer (seconds)`);
  }
  if (!AUTO_SHUTDOWN.includes(autoShutdown)) {
    throw badFlag('autoShutdown', `${brief(autoShutdown)} is not never, any_significant or all_significant`);
  }
  return { strategy, intensity, period, autoShutdown };
}

function bad(id: unknown, problem: string): GovernessError {
  return new GovernessError(RuntimeErrors.badChildSpec, { id: isChildId(id) ? id : brief(id), problem });
}

function isChildId(id: unknown): id is ChildId {
  return (typeof id === 'string' && id.length > 0) || (typeof id === 'number' && Number.isFinite(id));
}

/** Fills in and checks one child spec (OTP check_childspec). */
export function normalizeChildSpec(spec: ChildSpec, autoShutdown: AutoShutdown): NormalizedChildSpec {
  if (typeof spec !== 'object' || spec === null) throw bad(spec, 'a child spec must be an object');
  const { id } = spec;
  if (!isChildId(id)) throw bad(id, 'id must be a non-empty string or a finite number');
  if (typeof spec.start !== 'function') throw bad(id, `start ${brief(spec.start)} is not a function`);
  const restart = spec.restart ?? 'permanent';
  if (!RESTART_TYPES.includes(restart)) {
    throw bad(id, `restart ${brief(restart)} is not permanent, transient or temporary`);
  }
  const type = spec.type ?? 'worker';
  if (!CHILD_TYPES.includes(type)) throw bad(id, `type ${brief(type)} is not worker or supervisor`);
  const significant = spec.significant ?? false;
  if (typeof significant !== 'boolean') throw bad(id, `significant ${brief(significant)} is not a boolean`);
  if (significant && autoShutdown === 'never') {
    throw bad(id, 'significant: true is invalid when autoShutdown is never');
  }
  if (significant && restart === 'permanent') {
    throw bad(id, 'significant: true is invalid with restart: permanent');
  }
  const shutdown = spec.shutdown ?? (type === 'worker' ? 5000 : 'infinity');
  if (
    shutdown !== 'brutal_kill' &&
    shutdown !== 'infinity' &&
    !(typeof shutdown === 'number' && Number.isInteger(shutdown) && shutdown >= 0)
  ) {
    throw bad(id, `shutdown ${brief(shutdown)} is not brutal_kill, infinity or a non-negative integer (ms)`);
  }
  return { id, start: spec.start, restart, shutdown, type, significant };
}

/** Checks a supervisor's child specs: each valid, ids unique, exactly one for simple_one_for_one. */
export function normalizeChildSpecs(
  specs: readonly ChildSpec[],
  flags: NormalizedFlags,
): NormalizedChildSpec[] {
  if (!Array.isArray(specs)) throw bad(undefined, 'children must be an array of child specs');
  const out: NormalizedChildSpec[] = [];
  const ids = new Set<ChildId>();
  for (const s of specs) {
    const n = normalizeChildSpec(s, flags.autoShutdown);
    if (ids.has(n.id)) throw bad(n.id, 'duplicate child id');
    ids.add(n.id);
    out.push(n);
  }
  if (flags.strategy === 'simple_one_for_one' && out.length !== 1) {
    throw bad(out[0]?.id, `simple_one_for_one needs exactly one child spec, got ${out.length}`);
  }
  return out;
}

/** OTP check_childspecs: validates specs without starting anything. */
export function checkChildSpecs(
  specs: readonly ChildSpec[],
  autoShutdown: AutoShutdown = 'never',
): { readonly ok: true } | { readonly ok: false; readonly error: GovernessError } {
  try {
    normalizeChildSpecs(specs, { strategy: 'one_for_one', intensity: 1, period: 5, autoShutdown });
    return { ok: true };
  } catch (err) {
    if (err instanceof GovernessError) return { ok: false, error: err };
    throw err;
  }
}
