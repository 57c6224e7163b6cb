// `npm run bench`: every benchmark, each printing its figures next to a floor measured in the
// same run (machines are noisy; ratios travel better than absolute numbers). The soak takes
// minutes, so it runs only when SOAK_MINUTES is set (`SOAK_MINUTES=10 npm run bench`).
import { main as events } from './events.mjs';
import { main as headOfLine } from './head-of-line.mjs';
import { main as hostileBodies } from './hostile-bodies.mjs';
import { main as hostileConnections } from './hostile-connections.mjs';
import { main as http } from './http.mjs';
import { main as startup } from './startup.mjs';
import { main as vertex } from './vertex.mjs';

await startup();
await http();
await vertex();
await events();
await headOfLine();
if (process.env.SOAK_MINUTES) await (await import('./soak.mjs')).main();
await hostileBodies();
await hostileConnections();
