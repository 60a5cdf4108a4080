// The server's entry point (npm start): sizes libuv's thread pool, notes the threads the process started with,
// then runs launch.js.
//
// Every running DuckDB query holds a thread of libuv's pool (the bindings are N-API async workers), and so do
// password checks (argon2) and file reads. With the default 4 threads, a detection round, a text round and a
// dashboard's side-by-side reads could take them all, and a login waited for them (browser tests whose login
// took more than 90 s). libuv reads UV_THREADPOOL_SIZE once, when the pool starts; an ES module's loader starts
// it before the module's first line runs, so the variable is set here, in CommonJS, which loads without it.
//
// The threads present now are the main thread and V8's (which collect the main thread's garbage): they keep the
// default CPU priority when the server lowers its background threads (src/lib/server/threads.ts).
'use strict';
process.env.UV_THREADPOOL_SIZE ??= '32';
try {
	globalThis[Symbol.for('minqing.startThreads')] = require('node:fs').readdirSync('/proc/self/task').map(Number);
} catch {
	// not Linux: nothing is lowered
}
import('./launch.js');
