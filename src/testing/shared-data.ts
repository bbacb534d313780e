// Locates ../shared/data (real recorded payloads and training sets) beside the checkout.
// Tests that need it skip with a visible reason when it is absent; on CI it is present.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe } from 'vitest';
import { sharedDataDir } from '../triage/model/shared-dir.js';

export const SHARED_DATA = sharedDataDir();
export const hasSharedData = existsSync(SHARED_DATA);

export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DATA, ...parts);
}

/** `describe` when ../shared/data is there, otherwise a skipped suite whose name says why. */
export const describeWithSharedData: typeof describe = hasSharedData
  ? describe
  : ((name: string, fn?: () => void) => describe.skip(`${name} [skipped: ${SHARED_DATA} not found]`, fn ?? (() => {}))) as typeof describe;
