import { describe, expect, it } from 'vitest';
import { linearScores, mulberry32, softmaxInPlace, trainSoftmax, type SparseExample } from './linear.js';

/** Three classes, each marked by its own feature, plus shared noise features; deterministic. */
function synthetic(n: number, seed: number): SparseExample[] {
  const rand = mulberry32(seed);
  const out: SparseExample[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 3;
    const noise = Math.floor(rand() * 50) + 10;
    out.push({ idx: Int32Array.of(label, noise, 60 + (i % 7)), val: Float32Array.of(1, 1, 0.5), label });
  }
  return out;
}

const options = { classes: 3, dim: 80, epochs: 5, lr: 0.1, l2: 1e-4, seed: 7 };

describe('trainSoftmax', () => {
  it('is deterministic for a seed', () => {
    const data = synthetic(300, 1);
    const a = trainSoftmax(data, options);
    const b = trainSoftmax(data, options);
    expect(Buffer.from(a.weights.buffer).equals(Buffer.from(b.weights.buffer))).toBe(true);
    expect([...a.bias]).toEqual([...b.bias]);
    const c = trainSoftmax(data, { ...options, seed: 8 });
    expect(Buffer.from(a.weights.buffer).equals(Buffer.from(c.weights.buffer))).toBe(false);
  });

  it('learns a separable problem, with balanced class weights on skewed data', () => {
    const data = synthetic(300, 2).filter((e, i) => e.label !== 0 || i % 5 === 0);
    const model = trainSoftmax(data, options);
    const s = new Float64Array(3);
    for (let label = 0; label < 3; label++) {
      linearScores(model, [label, 20], [1, 1], 2, s);
      softmaxInPlace(s);
      expect(s.indexOf(Math.max(...s))).toBe(label);
      expect(s[label]).toBeGreaterThan(0.5);
    }
  });

  it('mulberry32 repeats for a seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    for (let i = 0; i < 5; i++) expect(a()).toBe(b());
  });
});
