import { parentPort } from 'node:worker_threads';
import { errorMessage, isKrxError } from '../core/errors.js';
import { runSweepJob, type SweepJob } from './sweep-job.js';

/** A sweep's worker thread: runs the jobs it is sent, one at a time, and answers each. */
const port = parentPort;
if (port) {
  port.on('message', (job: SweepJob) => {
    runSweepJob(job).then(
      (result) => port.postMessage({ ok: true, result }),
      (err: unknown) => port.postMessage({ ok: false, index: job.index, message: errorMessage(err), code: isKrxError(err) ? err.code : null }),
    );
  });
}
