/**
 * Loaded into a service child with NODE_OPTIONS=--require (node refuses --cpu-prof there).
 * The first SIGUSR2 starts the inspector's sampling profiler on the main thread (so start-up
 * and warm-up stay out of the profile); at exit the profile goes to $BENCH_CPU_PROFILE. The
 * in-process session answers synchronously, so the 'exit' handler can still write it.
 */
'use strict';
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');

const target = process.env.BENCH_CPU_PROFILE;
if (target) {
  const session = new Session();
  let started = false;
  process.on('SIGUSR2', () => {
    if (started) return;
    started = true;
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 500 });
    session.post('Profiler.start');
  });
  process.once('exit', () => {
    if (!started) return;
    session.post('Profiler.stop', (err, res) => {
      if (!err && res) writeFileSync(target, JSON.stringify(res.profile));
    });
  });
}
