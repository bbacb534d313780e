/**
 * Every error leaves the API as `{code, message, details?}` with the status httpStatusFor gives its code, so clients
 * switch on `code` and the status table lives in one place (src/core/errors.ts).
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { EarshotError, ValidationError, httpStatusFor, type ErrorCode } from '../core/index.js';

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** Fastify's own 4xx errors (bad JSON, body too large, wrong content type…) mapped onto our codes. */
function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 429:
      return 'rate_limited';
    default:
      return 'bad_request';
  }
}

function isFastifyClientError(err: unknown): err is FastifyError & { statusCode: number } {
  const s = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' && s >= 400 && s < 500;
}

export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof EarshotError) {
    // An `internal` message may describe internals; everything else is written for the caller.
    if (err.code === 'internal') return { code: 'internal', message: 'Something went wrong on the server.' };
    return err.details === undefined ? { code: err.code, message: err.message } : { code: err.code, message: err.message, details: err.details };
  }
  if (err instanceof z.ZodError) return toErrorBody(validationError(err));
  if (isFastifyClientError(err)) {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { code: 'bad_request', message: 'The request body is too large.' };
    return { code: codeForStatus(err.statusCode), message: err.message };
  }
  return { code: 'internal', message: 'Something went wrong on the server.' };
}

export function sendError(reply: FastifyReply, body: ErrorBody): FastifyReply {
  return reply.status(httpStatusFor(body.code)).type('application/json; charset=utf-8').send(body);
}

function validationError(err: z.ZodError): ValidationError {
  const fields = err.issues.map((i) => ({ field: i.path.length ? i.path.map(String).join('.') : '(body)', message: i.message }));
  const names = [...new Set(fields.map((f) => f.field))].join(', ');
  return new ValidationError(`Invalid request: ${names}.`, fields);
}

/** Parses `value` with `schema`; a failure becomes `validation_failed` listing each offending field. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw validationError(r.error);
  return r.data;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const body = toErrorBody(err);
    const status = httpStatusFor(body.code);
    if (status >= 500) req.log.error({ err }, 'request failed');
    // A hijacked reply (the event stream) owns its socket; nothing more can be sent on it.
    if (reply.sent || reply.raw.headersSent) return;
    return sendError(reply, body);
  });
}
