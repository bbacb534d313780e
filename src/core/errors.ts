/**
 * Typed errors. Each carries a stable code; the server maps codes to HTTP statuses and the CLI to exit codes,
 * each in exactly one place (see httpStatusFor / exitCodeFor).
 */
export type ErrorCode =
  | 'bad_request'
  | 'validation_failed'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_long'
  | 'rate_limited'
  | 'config_invalid'
  | 'unavailable'
  | 'network_error'
  | 'internal';

export class EarshotError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'EarshotError';
  }
}

export class ValidationError extends EarshotError {
  constructor(message: string, details?: unknown) {
    super('validation_failed', message, details);
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends EarshotError {
  constructor(what: string) {
    super('not_found', `${what} not found`);
    this.name = 'NotFoundError';
  }
}

export class ConfigError extends EarshotError {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super('config_invalid', `${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

/** A payload that cannot become a post. It is quarantined with this reason; ingestion goes on. */
export class MalformedPayloadError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'MalformedPayloadError';
  }
}

const HTTP: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_long: 422,
  rate_limited: 429,
  config_invalid: 500,
  unavailable: 503,
  network_error: 502,
  internal: 500,
};

const EXIT: Record<ErrorCode, number> = {
  bad_request: 2,
  validation_failed: 2,
  unauthorized: 3,
  forbidden: 3,
  not_found: 4,
  conflict: 5,
  too_long: 2,
  rate_limited: 6,
  config_invalid: 78, // EX_CONFIG
  unavailable: 69, // EX_UNAVAILABLE
  network_error: 69,
  internal: 70, // EX_SOFTWARE
};

export function httpStatusFor(code: ErrorCode): number {
  return HTTP[code];
}

export function exitCodeFor(code: ErrorCode): number {
  return EXIT[code];
}
