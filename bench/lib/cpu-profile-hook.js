/**
 * Loaded into a service child with NODE_OPTIONS=--require (node refuses --cpu-prof there):
 * samples the main thread with the inspector's profiler from start to exit and writes a
 * .cpuprofile to $BENCH_CPU_PROFILE. The in-process session answers synchronously, so the
 * profile is written even from the 'exit' handler.
 */
'use strict';
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');

const target = process.env.BENCH_CPU_PROFILE;
if (target) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  process.once('exit', () => {
    session.post('Profiler.stop', (err, res) => {
      if (!err && res) writeFileSync(target, JSON.stringify(res.profile));
    });
  });
}
