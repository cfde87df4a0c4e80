// Typed errors for "could not run at all" (DEVELOPERS.md style): network failures are data,
// not exceptions. Each error carries a stable `code`; the CLI is the one place that prints it.

export type ErrorCode =
  | 'USAGE'            // bad flag, bad argument: exit 2
  | 'BAD_INPUT'        // a file or payload that cannot be read at all
  | 'NOT_FOUND'
  | 'IO'               // disk full, permission denied, ...
  | 'STORE'            // the store could not be opened or written
  | 'NETWORK'          // a server could not be started or reached where that is fatal
  | 'CONFIG'
  | 'GEO'              // a geolocation database missing or corrupt
  | 'INTERNAL';

export class VigilError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'VigilError';
    this.code = code;
    this.exitCode = options?.exitCode ?? (code === 'USAGE' ? 2 : 1);
  }
}

export class UsageError extends VigilError {
  constructor(message: string) {
    super('USAGE', message, { exitCode: 2 });
    this.name = 'UsageError';
  }
}

export function isVigilError(e: unknown): e is VigilError {
  return e instanceof VigilError;
}
