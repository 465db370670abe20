// `npm run bench`: one table of figures measured on this machine. Benchmarks are added by the issues
// that set their targets; this runner prints the machine they ran on.
import { cpus } from 'node:os';

const cpu = cpus()[0]?.model ?? 'unknown CPU';
process.stdout.write(`krx-signals benchmarks\nmachine: ${cpu}, ${cpus().length} cores, Node ${process.version}\n`);
process.stdout.write('no benchmarks registered yet\n');
