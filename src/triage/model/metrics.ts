/** Classification metrics: the official TweetEval sentiment metric is macro-averaged recall. */

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Metrics {
  n: number;
  accuracy: number;
  /** Mean of per-class recall (TweetEval sentiment's official metric). */
  macroRecall: number;
  macroF1: number;
  perClass: ClassMetrics[];
  /** confusion[gold][predicted]. */
  confusion: number[][];
}

export function computeMetrics(gold: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): Metrics {
  if (gold.length !== predicted.length) throw new Error('gold and predicted differ in length');
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i]!;
    const p = predicted[i]!;
    confusion[g]![p]! += 1;
    if (g === p) correct++;
  }
  const perClass: ClassMetrics[] = [];
  for (let k = 0; k < classes; k++) {
    const tp = confusion[k]![k]!;
    const support = confusion[k]!.reduce((a, b) => a + b, 0);
    let predictedK = 0;
    for (let g = 0; g < classes; g++) predictedK += confusion[g]![k]!;
    const precision = predictedK > 0 ? tp / predictedK : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass.push({ precision, recall, f1, support });
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    n: gold.length,
    accuracy: gold.length > 0 ? correct / gold.length : 0,
    macroRecall: mean(perClass.map((c) => c.recall)),
    macroF1: mean(perClass.map((c) => c.f1)),
    perClass,
    confusion,
  };
}

/** A fixed-width text rendering of the confusion matrix (rows gold, columns predicted). */
export function formatConfusion(m: Metrics, labels: readonly string[]): string {
  const w = Math.max(9, ...labels.map((l) => l.length + 1));
  const pad = (s: string): string => s.padStart(w);
  const lines = [pad('gold\\pred') + labels.map(pad).join('')];
  m.confusion.forEach((row, g) => lines.push(pad(labels[g] ?? String(g)) + row.map((c) => pad(String(c))).join('')));
  return lines.join('\n');
}
