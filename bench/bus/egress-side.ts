// One side of the bus egress comparison in a fresh process (see egress-rate.ts): `off`, or the Redis URL.
import { benchEgressSide } from './egress-rate.js';

const arg = process.argv[2] ?? 'off';
const side = await benchEgressSide(arg === 'off' ? null : arg);
process.stdout.write(JSON.stringify(side));
