#!/usr/bin/env node
// The `earshot` command. TypeScript sources run through tsx's loader, so there is no separate compile step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
