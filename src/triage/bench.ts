/** `npx tsx src/triage/bench.ts [file]`: the triage benchmark without the CLI (same as `earshot bench triage`). */
import { formatTriageBench, runTriageBench } from '../bench/triage.js';

console.log(formatTriageBench(runTriageBench({ file: process.argv[2] })));
