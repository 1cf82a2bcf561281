// How a step reads as a receipt (docs/durable/design.md §1.3 step 3): the definition may say status, reason,
// summary and metadata; everything else comes from the step itself, so a governor with no receipt hook still
// leaves a complete, honest trail (what event, which state change, which timer and how late).
import { canonicalize } from '../ledger/canonical/index.js';
import type { EventType, ReceiptEvent, ReceiptReason } from '../ledger/index.js';
import type { MachineTypes, StatemEvent, StepRecord } from '../runtime/index.js';
import type { DurableDefinition } from './definition.js';

const MAX_SUMMARY = 256;
const MAX_LABEL = 256;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The `state_from`/`state_to` text of a state: the definition's label, else the string or its JSON. */
export function labelOf<T extends MachineTypes>(def: DurableDefinition<T>, state: T['state']): string {
  const label = def.stateLabel !== undefined ? def.stateLabel(state) : defaultLabel(state);
  return clip(label.length === 0 ? '(empty)' : label, MAX_LABEL);
}

function defaultLabel(state: unknown): string {
  if (typeof state === 'string') return state;
  try {
    return canonicalize(state, 'state');
  } catch {
    return String(state);
  }
}

function typeField(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const t = (value as { type?: unknown }).type;
  return typeof t === 'string' ? t : null;
}

/** The receipt event of a step's event: its type and a short summary naming the message or timer. */
export function receiptEventOf<T extends MachineTypes>(event: StatemEvent<T> | null): ReceiptEvent {
  if (event === null) return { type: 'system', summary: 'init' };
  const type = event.type as EventType;
  let summary: string = event.type;
  switch (event.type) {
    case 'call':
      summary = `call ${typeof event.call === 'string' ? event.call : '?'}`;
      break;
    case 'cast':
    case 'info':
    case 'internal': {
      const t = typeField(event.content);
      if (t !== null) summary = `${event.type} ${t}`;
      break;
    }
    case 'generic_timeout':
      summary = `generic_timeout ${event.name}`;
      break;
    default:
      break;
  }
  return { type, summary: clip(summary, MAX_SUMMARY) };
}

/** The default reason of a step: what kind of step it was. */
export function defaultReason<T extends MachineTypes>(step: StepRecord<T>): ReceiptReason {
  if (step.stop !== null) return { code: 'stopped', message: 'the governor stopped' };
  if (step.event === null) return { code: 'started', message: 'governor created in its initial state' };
  if (step.postponed) return { code: 'postponed', message: 'event postponed until the state changes' };
  if (step.changed) return { code: 'transition', message: 'state changed' };
  return { code: 'handled', message: 'handled without a state change' };
}
