// `npm run bench`: every benchmark, each printing its figures next to a baseline measured in
// the same run (machines are noisy; ratios travel better than absolute numbers).
import { main as events } from './events.mjs';
import { main as startup } from './startup.mjs';

await startup();
await events();
