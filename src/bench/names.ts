/** The benchmarks `earshot bench` knows; the first is the default (`npm run bench`). */
export const BENCHES = ['all', 'ingest', 'triage'] as const;
export type BenchName = (typeof BENCHES)[number];
