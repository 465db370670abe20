import { ka10001 } from './ka10001.js';
import { ka10058 } from './ka10058.js';
import { ka10059 } from './ka10059.js';
import { ka10061 } from './ka10061.js';
import { ka10066 } from './ka10066.js';
import { ka10099 } from './ka10099.js';
import { ka10100 } from './ka10100.js';
import { ka10101 } from './ka10101.js';
import { ka20002 } from './ka20002.js';
import { ka90003 } from './ka90003.js';
import { ka90004 } from './ka90004.js';
import type { SimTr } from './shared.js';

/** Every TR of the seeds, on its real path, answering in the real server's forms (protocol.md §10.2). */
export const TR_SPECS: Readonly<Record<string, SimTr>> = {
  ka10001, ka10058, ka10059, ka10061, ka10099, ka10100, ka10101, ka90003, ka90004, ka10066, ka20002,
};

export { BATCH_LIMIT } from './ka10001.js';
export type { SimTr, SimTrAnswer } from './shared.js';
