// Physical lines of a file, read in chunks: constant memory however long a line is. Lines over the limit and
// lines that are not UTF-8 become errors (with a sample) and reading goes on at the next line.
import { createReadStream } from 'node:fs';
import { TextDecoder } from 'node:util';

export const MAX_LINE_BYTES = 1024 * 1024;
export const SAMPLE_CHARS = 2000;

export type PhysicalLine = { line: number; text: string; final: boolean } | { line: number; error: string; sample: string };

const NL = 0x0a;

function decoder(): TextDecoder {
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
}

export async function* readLines(filePath: string, maxBytes = MAX_LINE_BYTES): AsyncGenerator<PhysicalLine> {
  let parts: Buffer[] = [];
  let size = 0;
  let overflow = false;
  let lineNo = 1;

  const finish = (final: boolean): PhysicalLine => {
    const bytes = Buffer.concat(parts);
    parts = [];
    size = 0;
    const line = lineNo++;
    if (overflow) {
      overflow = false;
      return { line, error: `line longer than ${maxBytes === MAX_LINE_BYTES ? '1 MiB' : `${maxBytes} bytes`}`, sample: bytes.toString('utf8').slice(0, SAMPLE_CHARS) };
    }
    let text: string;
    try {
      // fatal: a byte sequence that is not UTF-8 throws instead of turning into U+FFFD silently.
      text = decoder().decode(bytes);
    } catch {
      return { line, error: 'invalid UTF-8', sample: bytes.toString('utf8').slice(0, SAMPLE_CHARS) };
    }
    if (text.endsWith('\r')) text = text.slice(0, -1);
    return { line, text, final };
  };

  const take = (chunk: Buffer): void => {
    if (overflow) return;
    if (size + chunk.length > maxBytes) {
      // Keep just enough for a sample and drop the rest until the line ends.
      const room = Math.max(0, SAMPLE_CHARS * 4 - size);
      parts.push(chunk.subarray(0, room));
      overflow = true;
      return;
    }
    parts.push(chunk);
    size += chunk.length;
  };

  for await (const chunk of createReadStream(filePath, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(NL, start); nl !== -1; nl = chunk.indexOf(NL, start)) {
      take(chunk.subarray(start, nl));
      yield finish(false);
      start = nl + 1;
    }
    if (start < chunk.length) take(chunk.subarray(start));
  }
  if (size > 0 || overflow) yield finish(true);
}
