/**
 * Session 3 extra features (appended after the committed ones). Each entry is a factory: it may load or build
 * resources (word vectors, clusters) once, then returns the per-post function.
 */
import { fmix, hashString } from '../../src/triage/model/features.js';
import { buildEmbedding, embedKey, type EmbedOpts } from './exp-embed.js';
import type { ExtraFeatures } from './exp-lib.js';

const EMB_DEFAULT: EmbedOpts = { minCount: 3, contexts: 3000, window: 4, dim: 100, power: 0.5, clusters: 500 };

const slot = (name: string, i: number): number => fmix(hashString(`${name}:${i}`, 0x5e55));

/** Mean word vector of the post (value scale `scale`); negated words' vectors flipped when `negFlip`. */
function embMean(opts: Partial<EmbedOpts>, scale: number, mode: 'mean' | 'negsep' | 'sum'): () => ExtraFeatures {
  return () => {
    const emb = buildEmbedding({ ...EMB_DEFAULT, ...opts });
    const D = emb.dim;
    const ids = Array.from({ length: D }, (_, d) => slot('emb', d));
    const nids = Array.from({ length: D }, (_, d) => slot('embneg', d));
    const acc = new Float64Array(D);
    const nacc = new Float64Array(D);
    return (tokens, out, mask) => {
      acc.fill(0);
      nacc.fill(0);
      let n = 0;
      let nn = 0;
      for (const t of tokens) {
        const k = embedKey(t);
        if (k === undefined) continue;
        const i = emb.index.get(k);
        if (i === undefined) continue;
        if (mode === 'negsep' && t.negated) {
          for (let d = 0; d < D; d++) nacc[d] = nacc[d]! + emb.vec[i * D + d]!;
          nn++;
        } else {
          for (let d = 0; d < D; d++) acc[d] = acc[d]! + emb.vec[i * D + d]!;
          n++;
        }
      }
      if (n > 0) {
        const s = mode === 'sum' ? scale / Math.sqrt(n) : scale / n;
        for (let d = 0; d < D; d++) out.push(ids[d]! & mask, acc[d]! * s, -1);
      }
      if (nn > 0) for (let d = 0; d < D; d++) out.push(nids[d]! & mask, (nacc[d]! * scale) / nn, -1);
    };
  };
}

/** Cluster id of each word as a sparse feature (negation-marked), value `v`. */
function clusters(opts: Partial<EmbedOpts>, v: number): () => ExtraFeatures {
  return () => {
    const emb = buildEmbedding({ ...EMB_DEFAULT, ...opts });
    const K = Math.max(...emb.cluster) + 1;
    const ids = Array.from({ length: K }, (_, c) => slot('clu', c));
    const nids = Array.from({ length: K }, (_, c) => slot('cluneg', c));
    return (tokens, out, mask) => {
      for (let j = 0; j < tokens.length; j++) {
        const t = tokens[j]!;
        const k = embedKey(t);
        if (k === undefined) continue;
        const i = emb.index.get(k);
        if (i === undefined) continue;
        const c = emb.cluster[i]!;
        out.push((t.negated ? nids[c]! : ids[c]!) & mask, v, j);
      }
    };
  };
}

const both = (...fs: (() => ExtraFeatures)[]) => (): ExtraFeatures => {
  const gs = fs.map((f) => f());
  return (tokens, out, mask) => {
    for (const g of gs) g(tokens, out, mask);
  };
};

/** Words after the last contrast word ("but", "however", "though", "yet") get a second, marked unigram. */
const CONTRAST = new Set(['but', 'however', 'though', 'although', 'yet', 'tho']);
function afterBut(v: number): () => ExtraFeatures {
  return () => (tokens, out, mask) => {
    let last = -1;
    for (let i = 0; i < tokens.length; i++) if (tokens[i]!.kind === 'word' && CONTRAST.has(tokens[i]!.norm)) last = i;
    if (last < 0) return;
    for (let i = last + 1; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.kind === 'url' || t.kind === 'punct' || t.kind === 'mention') continue;
      out.push(fmix(hashString(t.norm, t.negated ? 0xb07 : 0xb01)) & mask, v, i);
    }
  };
}

/** "Reporting vs opinion" cues: first/second person, quotes, headline colon, RT/via, links were dropped. */
const FIRST = new Set(['i', "i'm", 'im', 'me', 'my', 'mine', 'myself', "i've", "i'll", "i'd", 'we', 'us', 'our', "we're"]);
const SECOND = new Set(['you', 'your', "you're", 'ur', 'u', 'yours', 'yourself']);
function reporting(): () => ExtraFeatures {
  const F = ['rep:first', 'rep:second', 'rep:quote', 'rep:rt', 'rep:via', 'rep:colon', 'rep:nofirst', 'rep:third'].map((n) => fmix(hashString(n, 0x7e9)));
  const THIRD = new Set(['he', 'she', 'they', 'his', 'her', 'their', 'him', 'them']);
  return () => (tokens, out, mask) => {
    let first = 0, second = 0, quote = 0, rt = 0, via = 0, colon = 0, third = 0;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.kind === 'word') {
        if (FIRST.has(t.norm)) first++;
        else if (SECOND.has(t.norm)) second++;
        else if (THIRD.has(t.norm)) third++;
        else if (t.norm === 'rt' && i === 0) rt++;
        else if (t.norm === 'via') via++;
      } else if (t.kind === 'punct') {
        if (t.raw.includes('"') || t.raw.includes('“') || t.raw.includes('”')) quote++;
        if (t.raw === ':' && i < 8) colon++;
      }
    }
    const push = (j: number, v: number): void => { if (v > 0) out.push(F[j]! & mask, v, -1); };
    push(0, Math.min(first, 3) / 3);
    push(1, Math.min(second, 3) / 3);
    push(2, Math.min(quote, 2) / 2);
    push(3, rt);
    push(4, Math.min(via, 1));
    push(5, Math.min(colon, 1));
    push(6, first === 0 && second === 0 ? 1 : 0);
    push(7, Math.min(third, 3) / 3);
  };
}

export const EXTRAS: Record<string, () => ExtraFeatures> = {
  emb: embMean({}, 1, 'mean'),
  emb2: embMean({}, 2, 'mean'),
  emb4: embMean({}, 4, 'mean'),
  embneg: embMean({}, 1, 'negsep'),
  embsum: embMean({}, 1, 'sum'),
  clu: clusters({}, 1),
  clu05: clusters({}, 0.5),
  embclu: both(embMean({}, 1, 'mean'), clusters({}, 0.5)),
  cluneg: both(embMean({}, 1, 'negsep'), clusters({}, 1)),
  cluneg2: both(embMean({}, 1, 'negsep'), clusters({}, 1), clusters({ clusters: 100 }, 1)),
  clunegw8: both(embMean({ window: 8 }, 1, 'negsep'), clusters({ window: 8 }, 1)),
  clunegrep: both(embMean({}, 1, 'negsep'), clusters({}, 1), reporting()),
  clunegbut: both(embMean({}, 1, 'negsep'), clusters({}, 1), afterBut(0.5)),
  cluneg200: both(embMean({ dim: 200, contexts: 5000 }, 1, 'negsep'), clusters({ dim: 200, contexts: 5000 }, 1)),
  'cluneg-full': both(embMean({ corpus: 'full' }, 1, 'negsep'), clusters({ corpus: 'full' }, 1)),
  but: afterBut(1),
  but05: afterBut(0.5),
  rep: reporting(),
  clu1000: clusters({ clusters: 1000 }, 1),
  clu200: clusters({ clusters: 200 }, 1),
};
