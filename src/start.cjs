// The server's entry point (npm start): sizes libuv's thread pool, then runs launch.js.
//
// Every running DuckDB query holds a thread of libuv's pool (the bindings are N-API async workers), and so do
// password checks (argon2) and file reads. With the default 4 threads, a detection round, a text round and a
// dashboard's side-by-side reads could take them all, and a login waited for them (browser tests whose login
// took more than 90 s). libuv reads UV_THREADPOOL_SIZE once, when the pool starts; an ES module's loader starts
// it before the module's first line runs, so the variable is set here, in CommonJS, which loads without it.
'use strict';
process.env.UV_THREADPOOL_SIZE ??= '32';
import('./launch.js');
