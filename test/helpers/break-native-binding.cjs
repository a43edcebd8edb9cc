// Preloaded (node -r) into a child process to simulate a platform without a usable
// native binary: loading node-gyp-build fails as a missing prebuild would.
'use strict';
const Module = require('node:module');

const load = Module._load;
Module._load = function loadWithoutNativeBinding(request, ...rest) {
  if (request === 'node-gyp-build') {
    throw new Error('simulated: no prebuilt binary for this platform and no local build');
  }
  return load.call(this, request, ...rest);
};
