// This thread's operating-system id (Linux: /proc/thread-self links to <pid>/task/<tid>), or null elsewhere. Plain
// JavaScript, so that the worker scripts (worker.mjs, the server's PGlite worker) load it as it is; a worker
// reports it when ready (worker-start.ts), for its CPU time and its CPU priority.
import { readlinkSync } from 'node:fs';

/** @returns {number | null} */
export function threadId() {
	try {
		return Number(readlinkSync('/proc/thread-self').split('/').pop());
	} catch {
		return null;
	}
}
