/**
 * Session 3: word vectors from unlabelled tweet text, all local, deterministic.
 *
 * Corpus: the training rows' texts (pool minus ts-val; TweetEval sentiment val/test texts were already removed) and
 * TweetEval emotion + offensive texts (all splits, text only, minus any text matching a TweetEval sentiment val/test
 * text). ts-val texts are NOT in the corpus (so that ts-val measures what test would see).
 *
 * Method: window co-occurrence counts (±W words, 1/distance weighted) between vocabulary words (count ≥ minCount)
 * and the C most frequent context words; PPMI with context smoothing 0.75; randomized truncated SVD (seeded) →
 * U·Σ^p, rows L2-normalised. Then optional k-means clusters (seeded, k-means++ like init by a fixed PRNG).
 * Cached in /tmp by a key of the settings.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { sentimentTokens } from '../../src/triage/model/features.js';
import { mulberry32 } from '../../src/triage/model/linear.js';
import type { Token } from '../../src/triage/tokenize.js';
import { loadProtocol, readPoolRows, readUnlabelledTexts } from './exp-data.js';

export interface EmbedOpts {
  minCount: number;
  contexts: number;
  window: number;
  dim: number;
  power: number;
  /** 0: no clusters. */
  clusters: number;
  /** Corpus: 'protocol' = training rows of the ts-val protocol (ts-val excluded); 'full' = the whole kept pool. */
  corpus?: 'protocol' | 'full';
}

export interface Embedding {
  words: string[];
  index: Map<string, number>;
  dim: number;
  /** words.length × dim, rows L2-normalised. */
  vec: Float32Array;
  /** cluster of each word (−1 when no clustering). */
  cluster: Int32Array;
}

/** The string a token stands for in the embedding space: words, hashtags (as words), emoticons, emoji. */
export function embedKey(t: Token): string | undefined {
  switch (t.kind) {
    case 'word':
    case 'emoticon':
    case 'emoji':
      return t.norm;
    case 'hashtag':
      return t.norm;
    default:
      return undefined;
  }
}

export function corpusTexts(corpus: 'protocol' | 'full' = 'protocol'): string[] {
  const pool = corpus === 'full' ? readPoolRows() : loadProtocol().train;
  return [...pool.map((r) => r.text), ...readUnlabelledTexts()];
}

function orthonormalise(Y: Float64Array[], n: number): void {
  // Modified Gram–Schmidt on columns stored as arrays of length n.
  for (let j = 0; j < Y.length; j++) {
    const y = Y[j]!;
    for (let i = 0; i < j; i++) {
      const q = Y[i]!;
      let d = 0;
      for (let r = 0; r < n; r++) d += q[r]! * y[r]!;
      for (let r = 0; r < n; r++) y[r] = y[r]! - d * q[r]!;
    }
    let s = 0;
    for (let r = 0; r < n; r++) s += y[r]! * y[r]!;
    s = Math.sqrt(s) || 1;
    for (let r = 0; r < n; r++) y[r] = y[r]! / s;
  }
}

/** Symmetric eigen-decomposition by cyclic Jacobi: returns eigenvalues and eigenvectors (columns of V). */
function jacobiEigen(A: Float64Array[], n: number): { values: Float64Array; V: Float64Array[] } {
  const a = A.map((r) => Float64Array.from(r));
  const V = Array.from({ length: n }, (_, i) => {
    const r = new Float64Array(n);
    r[i] = 1;
    return r;
  });
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! * a[p]![q]!;
    if (off < 1e-18) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k]![p]!;
          const vkq = V[k]![q]!;
          V[k]![p] = c * vkp - s * vkq;
          V[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => a[i]![i]!), V };
}

export function buildEmbedding(o: EmbedOpts, log: (s: string) => void = () => {}): Embedding {
  const key = `/tmp/earshot-exp-embed-${o.minCount}-${o.contexts}-${o.window}-${o.dim}-${o.power}-${o.clusters}${o.corpus === 'full' ? '-full' : ''}.json`;
  if (existsSync(key)) {
    const j = JSON.parse(readFileSync(key, 'utf8')) as { words: string[]; dim: number; vec: number[]; cluster: number[] };
    return { words: j.words, index: new Map(j.words.map((w, i) => [w, i])), dim: j.dim, vec: Float32Array.from(j.vec), cluster: Int32Array.from(j.cluster) };
  }
  const t0 = Date.now();
  const docs = corpusTexts(o.corpus).map((t) => sentimentTokens(t).map(embedKey).filter((k): k is string => k !== undefined));
  const freq = new Map<string, number>();
  for (const d of docs) for (const w of d) freq.set(w, (freq.get(w) ?? 0) + 1);
  const sorted = [...freq.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const words = sorted.filter(([, c]) => c >= o.minCount).map(([w]) => w);
  const index = new Map(words.map((w, i) => [w, i]));
  const C = Math.min(o.contexts, words.length);
  log(`corpus ${docs.length} posts, ${docs.reduce((a, d) => a + d.length, 0)} tokens, vocab ${words.length}, contexts ${C}`);
  // Co-occurrence rows: Map per word.
  const rows: Map<number, number>[] = words.map(() => new Map());
  for (const d of docs) {
    const ids = d.map((w) => index.get(w) ?? -1);
    for (let i = 0; i < ids.length; i++) {
      const wi = ids[i]!;
      if (wi < 0) continue;
      for (let j = Math.max(0, i - o.window); j <= Math.min(ids.length - 1, i + o.window); j++) {
        if (j === i) continue;
        const cj = ids[j]!;
        if (cj < 0 || cj >= C) continue;
        const r = rows[wi]!;
        r.set(cj, (r.get(cj) ?? 0) + 1 / Math.abs(i - j));
      }
    }
  }
  // PPMI with context-distribution smoothing.
  const colSum = new Float64Array(C);
  let total = 0;
  const rowSum = new Float64Array(words.length);
  rows.forEach((r, i) => {
    for (const [c, v] of r) {
      colSum[c] = colSum[c]! + v;
      rowSum[i] = rowSum[i]! + v;
      total += v;
    }
  });
  let smoothTotal = 0;
  const colP = new Float64Array(C);
  for (let c = 0; c < C; c++) smoothTotal += colSum[c]! ** 0.75;
  for (let c = 0; c < C; c++) colP[c] = colSum[c]! ** 0.75 / smoothTotal;
  const sp: { c: Int32Array; v: Float64Array }[] = rows.map((r, i) => {
    const cs: number[] = [];
    const vs: number[] = [];
    const keys = [...r.keys()].sort((a, b) => a - b);
    for (const c of keys) {
      const pmi = Math.log(r.get(c)! / total / ((rowSum[i]! / total) * colP[c]!));
      if (pmi > 0) {
        cs.push(c);
        vs.push(pmi);
      }
    }
    return { c: Int32Array.from(cs), v: Float64Array.from(vs) };
  });
  const V = words.length;
  // Randomized SVD: Y = M Ω, power iterations, Q = orth(Y), B = Qᵀ M, eig(B Bᵀ).
  const k = o.dim + 10;
  const rand = mulberry32(12345);
  const gauss = (): number => {
    const u = Math.max(rand(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
  const mulM = (X: Float64Array[] /* k cols of length C */): Float64Array[] =>
    X.map((x) => {
      const y = new Float64Array(V);
      for (let i = 0; i < V; i++) {
        const { c, v } = sp[i]!;
        let s = 0;
        for (let t = 0; t < c.length; t++) s += v[t]! * x[c[t]!]!;
        y[i] = s;
      }
      return y;
    });
  const mulMt = (Y: Float64Array[] /* k cols of length V */): Float64Array[] =>
    Y.map((y) => {
      const x = new Float64Array(C);
      for (let i = 0; i < V; i++) {
        const { c, v } = sp[i]!;
        const yi = y[i]!;
        if (yi === 0) continue;
        for (let t = 0; t < c.length; t++) x[c[t]!] = x[c[t]!]! + v[t]! * yi;
      }
      return x;
    });
  const Omega = Array.from({ length: k }, () => Float64Array.from({ length: C }, gauss));
  let Y = mulM(Omega);
  orthonormalise(Y, V);
  for (let it = 0; it < 2; it++) {
    const Z = mulMt(Y);
    orthonormalise(Z, C);
    Y = mulM(Z);
    orthonormalise(Y, V);
  }
  const B = mulMt(Y); // k rows (each of length C) = Qᵀ M
  const BBt = Array.from({ length: k }, (_, a) => Float64Array.from({ length: k }, (_, b) => {
    let s = 0;
    const x = B[a]!;
    const y = B[b]!;
    for (let c = 0; c < C; c++) s += x[c]! * y[c]!;
    return s;
  }));
  const { values, V: E } = jacobiEigen(BBt, k);
  const order = [...values.keys()].sort((a, b) => values[b]! - values[a]!).slice(0, o.dim);
  const vec = new Float32Array(V * o.dim);
  for (let d = 0; d < o.dim; d++) {
    const e = order[d]!;
    const sigma = Math.sqrt(Math.max(values[e]!, 0));
    const scale = sigma ** o.power;
    // U[:, d] = Q · E[:, e]
    for (let i = 0; i < V; i++) {
      let s = 0;
      for (let a = 0; a < k; a++) s += Y[a]![i]! * E[a]![e]!;
      vec[i * o.dim + d] = s * scale;
    }
  }
  for (let i = 0; i < V; i++) {
    let s = 0;
    for (let d = 0; d < o.dim; d++) s += vec[i * o.dim + d]! ** 2;
    s = Math.sqrt(s) || 1;
    for (let d = 0; d < o.dim; d++) vec[i * o.dim + d] = vec[i * o.dim + d]! / s;
  }
  log(`svd done ${((Date.now() - t0) / 1000).toFixed(0)}s`);
  const cluster = new Int32Array(V).fill(-1);
  if (o.clusters > 0) kmeans(vec, V, o.dim, o.clusters, cluster, log);
  const emb: Embedding = { words, index, dim: o.dim, vec, cluster };
  writeFileSync(key, JSON.stringify({ words, dim: o.dim, vec: [...vec].map((x) => Math.round(x * 1e5) / 1e5), cluster: [...cluster] }));
  log(`embedding built in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
  return emb;
}

/** Spherical k-means, seeded; initial centres: every (V/K)-th word by frequency rank (deterministic, spread out). */
function kmeans(vec: Float32Array, V: number, D: number, K: number, assign: Int32Array, log: (s: string) => void): void {
  const cent = new Float32Array(K * D);
  for (let c = 0; c < K; c++) {
    const w = Math.floor((c * V) / K);
    for (let d = 0; d < D; d++) cent[c * D + d] = vec[w * D + d]!;
  }
  for (let it = 0; it < 12; it++) {
    let changed = 0;
    for (let i = 0; i < V; i++) {
      let best = -1;
      let bs = -Infinity;
      for (let c = 0; c < K; c++) {
        let s = 0;
        for (let d = 0; d < D; d++) s += vec[i * D + d]! * cent[c * D + d]!;
        if (s > bs) {
          bs = s;
          best = c;
        }
      }
      if (assign[i] !== best) changed++;
      assign[i] = best;
    }
    cent.fill(0);
    for (let i = 0; i < V; i++) for (let d = 0; d < D; d++) cent[assign[i]! * D + d] = cent[assign[i]! * D + d]! + vec[i * D + d]!;
    for (let c = 0; c < K; c++) {
      let s = 0;
      for (let d = 0; d < D; d++) s += cent[c * D + d]! ** 2;
      s = Math.sqrt(s) || 1;
      for (let d = 0; d < D; d++) cent[c * D + d] = cent[c * D + d]! / s;
    }
    log(`kmeans iter ${it}: ${changed} changed`);
    if (changed === 0) break;
  }
}

if (process.argv[1]?.endsWith('exp-embed.ts')) {
  const emb = buildEmbedding({ minCount: 3, contexts: 3000, window: 4, dim: 100, power: 0.5, clusters: 500 }, console.log);
  // Nearest neighbours of a few words, as a sanity check.
  for (const w of ['good', 'bad', 'trump', 'hillary', 'happy', 'hate', 'tomorrow', 'lol', 'maga', 'iphone']) {
    const i = emb.index.get(w);
    if (i === undefined) continue;
    const sims: [number, string][] = [];
    for (let j = 0; j < emb.words.length; j++) {
      let s = 0;
      for (let d = 0; d < emb.dim; d++) s += emb.vec[i * emb.dim + d]! * emb.vec[j * emb.dim + d]!;
      sims.push([s, emb.words[j]!]);
    }
    sims.sort((a, b) => b[0] - a[0]);
    const cl = emb.words.filter((_, j) => emb.cluster[j] === emb.cluster[i]).slice(0, 12);
    console.log(w, sims.slice(1, 9).map((x) => x[1]).join(' '), '| cluster:', cl.join(' '));
  }
}
