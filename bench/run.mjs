// `npm run bench`: every benchmark, each printing its figures next to a baseline measured in
// the same run (machines are noisy; ratios travel better than absolute numbers). The soak takes
// minutes, so it runs only when SOAK_MINUTES is set (`SOAK_MINUTES=10 npm run bench`).
import { main as events } from './events.mjs';
import { main as headOfLine } from './head-of-line.mjs';
import { main as startup } from './startup.mjs';
import { main as vertex } from './vertex.mjs';

const started = await startup();
await events();
await headOfLine();
await vertex(started.find((result) => result.name === 'service (local)'));
if (process.env.SOAK_MINUTES) await (await import('./soak.mjs')).main();
