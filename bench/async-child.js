// One process per threadpool size (libuv reads UV_THREADPOOL_SIZE once): times
// leakyReluAsync, awaited call after call, and prints JSON rows on stdout.
'use strict';
const { leakyReluAsync, info } = require('..');
const { makePool, timeAsync, roundsFor } = require('./measure');

(async () => {
  const sizes = JSON.parse(process.argv[2]);
  const rows = [];
  for (const Type of [Float32Array, Float64Array]) {
    for (const n of sizes) {
      const pool = makePool(Type, n);
      const ns = await timeAsync(pool, (a) => leakyReluAsync(a), roundsFor(n));
      rows.push({ impl: `async, ${info().threads} threads`, dtype: Type.name, n, ns });
    }
  }
  process.stdout.write(JSON.stringify(rows));
})();
