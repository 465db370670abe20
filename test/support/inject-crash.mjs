// Preloaded with `node --import` by the last-resort test: SIGUSR2 makes the daemon process throw
// from a timer (KRX_TEST_CRASH=exception) or leave a rejection unhandled (=rejection), as a bug would.
process.on('SIGUSR2', () => {
  setImmediate(() => {
    if (process.env.KRX_TEST_CRASH === 'rejection') void Promise.reject(new Error('injected rejection'));
    // Thrown inside compiled code (dist/): with source maps on, its stack names the .ts source.
    else void import(new URL('../../dist/src/adapters/store/parse-since.js', import.meta.url).href).then(({ parseSince }) => setImmediate(() => parseSince('injected exception', 0)));
  });
});
