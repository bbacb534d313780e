/** Where the committed models live, and how a model file is written and loaded (once per path per process). */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `models/<name>` at the repository root. */
export function committedModelPath(name: string): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models', name);
}

/** Writes the encoded model, creating the folder; returns the bytes written. */
export function writeModelFile(bytes: Buffer, file: string): number {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return bytes.length;
}

/** A loader that decodes each file once and hands the same model to every caller after that. */
export function cachedLoader<M>(decode: (bytes: Buffer) => M, defaultFile: string): (file?: string) => M {
  const cache = new Map<string, M>();
  return (file = defaultFile) => {
    const key = path.resolve(file);
    let m = cache.get(key);
    if (m === undefined) {
      m = decode(readFileSync(key));
      cache.set(key, m);
    }
    return m;
  };
}
