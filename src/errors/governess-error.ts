/** One entry of the error registry: a stable code, a message template and the HTTP status it maps to. */
export interface ErrorSpec {
  /** Stable machine-readable code, e.g. `GOV_CALL_TIMEOUT`. */
  readonly code: string;
  /** Human message; `{name}` placeholders are filled from the error's details. */
  readonly message: string;
  /** HTTP status the service answers with when this error reaches a client. */
  readonly status: number;
}

/** Details attached to an error: what was wrong and where (field, row, process, state, event...). */
export type ErrorDetails = Readonly<Record<string, unknown>>;

function render(template: string, details: ErrorDetails): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in details ? describe(details[key]) : whole,
  );
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The one error class Governess throws: carries a registered code, an HTTP status and structured details. */
export class GovernessError extends Error {
  /** Registered code (see docs/errors.md). */
  readonly code: string;
  /** HTTP status for the service layer. */
  readonly status: number;
  /** Structured context: what was wrong and where. */
  readonly details: ErrorDetails;

  constructor(spec: ErrorSpec, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(render(spec.message, details), options);
    this.name = 'GovernessError';
    this.code = spec.code;
    this.status = spec.status;
    this.details = details;
  }

  /** True when `err` is a GovernessError with the given spec's code. */
  static is(err: unknown, spec?: ErrorSpec): err is GovernessError {
    return err instanceof GovernessError && (spec === undefined || err.code === spec.code);
  }
}

/** Declares a group of error specs keyed by a short name; the key is only for code, the `code` field is the contract. */
export function defineErrors<const T extends Record<string, ErrorSpec>>(specs: T): T {
  return Object.freeze(specs);
}
