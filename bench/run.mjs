// `npm run bench`: every benchmark, each printing its figures next to a baseline measured in
// the same run (machines are noisy; ratios travel better than absolute numbers).
import { main as events } from './events.mjs';
import { main as hostileBodies } from './hostile-bodies.mjs';
import { main as hostileConnections } from './hostile-connections.mjs';
import { main as startup } from './startup.mjs';
import { main as vertex } from './vertex.mjs';

const started = await startup();
await events();
await vertex(started.find((result) => result.name === 'service (local)'));
await hostileBodies();
await hostileConnections();
