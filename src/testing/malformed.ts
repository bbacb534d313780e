import { expect } from 'vitest';
import { MalformedPayloadError } from '../core/errors.js';

/** The quarantine reason `fn` throws; fails the test when it throws anything else or nothing. */
export function malformedReason(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MalformedPayloadError);
    return (e as MalformedPayloadError).reason;
  }
  throw new Error('expected a MalformedPayloadError');
}
