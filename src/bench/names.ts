/** The benchmarks `earshot bench` knows; the first is the default. */
export const BENCHES = ['ingest'] as const;
export type BenchName = (typeof BENCHES)[number];
