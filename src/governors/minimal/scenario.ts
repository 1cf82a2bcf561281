// The seed's minimal 3-signal governor scenario, run on the embedded defaults (real clock, in-process runtime),
// printing every transition as it happens:
// boot → entitlement ACTIVE → two signals counted → INACTIVE → a refused signal → re-activation.
import { RealClock } from '../../runtime/clock/index.js';
import { Runtime, formatReason, type TraceEvent } from '../../runtime/index.js';
import { minimalGovernor, type MinimalTypes } from './machine.js';

function describe(event: unknown): string {
  const e = event as { type: string; request?: { type: string; status?: string }; content?: unknown };
  if (e.type === 'call') return `call ${e.request?.type}${e.request?.status ? ` ${e.request.status}` : ''}`;
  if (e.type === 'cast') return `cast ${JSON.stringify(e.content)}`;
  return `${e.type} ${JSON.stringify(e.content)}`;
}

/** Runs the scenario; returns the process exit code. */
export async function runMinimalScenario(out: (line: string) => void = console.log): Promise<number> {
  using clock = new RealClock();
  const rt = new Runtime({ clock });
  const sku = 'acme-catalog-v1';
  const tenant = 'customer-123';
  const name = ['governor', sku, tenant] as const;
  const unsubscribe = rt.trace.subscribe((ev: TraceEvent) => {
    if (ev.kind === 'transition') {
      const arrow = ev.changed ? `${String(ev.from)} -> ${String(ev.to)}` : `${String(ev.from)} (stays)`;
      out(`  [${sku}/${tenant}] ${describe(ev.event)}: ${arrow}`);
    } else if (ev.kind === 'exit') {
      out(`  [${sku}/${tenant}] exited: ${formatReason(ev.reason)}`);
    }
  });

  out(`Governess: minimal 3-signal governor for ${sku} x ${tenant}`);
  const started = rt.start(minimalGovernor, { tenantId: tenant }, { name });
  if (!started.ok) {
    out(`start failed: ${JSON.stringify(started.reason)}`);
    return 1;
  }
  const gov = started.pid;
  out(`  started ${gov.toString()} in state ${String(rt.getState(gov).state)}`);

  const activate = await rt.call<MinimalTypes, { type: 'entitlement_update'; status: 'ACTIVE' }>(gov, {
    type: 'entitlement_update',
    status: 'ACTIVE',
  });
  out(`  entitlement ACTIVE -> ${JSON.stringify(activate)}`);
  rt.cast(name, { type: 'signal', signal: 'cpu_high' });
  rt.cast(name, { type: 'signal', signal: 'cpu_high' });
  await rt.idle();
  const deactivate = await rt.call(gov, { type: 'entitlement_update', status: 'INACTIVE' });
  out(`  entitlement INACTIVE -> ${JSON.stringify(deactivate)}`);
  rt.cast(name, { type: 'signal', signal: 'cpu_high' });
  await rt.idle();
  const reactivate = await rt.call(gov, { type: 'entitlement_update', status: 'ACTIVE' });
  out(`  entitlement ACTIVE again -> ${JSON.stringify(reactivate)}`);
  const status = await rt.call(gov, { type: 'status' });
  out(`  status: ${JSON.stringify(status)}`);
  await rt.stop(gov, 'shutdown');
  unsubscribe();
  const ok = status.signalCount === 2 && status.refused === 1 && status.state === 'stable';
  out(ok ? 'Scenario complete: 2 signals counted, 1 refused.' : 'Scenario did not end as expected.');
  return ok ? 0 : 1;
}
