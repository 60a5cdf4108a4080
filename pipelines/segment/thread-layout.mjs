// The shared buffer of ThreadSegmenter (thread-segmenter.ts) and its worker (thread-worker.mjs), in one place for
// both: eight 32-bit control cells, then the data (a request's text, an answer's words, a load error). Plain
// JavaScript, so that the worker imports it as it is.

/** bytes of the control cells before the data */
export const CTRL_BYTES = 32;

/** the control cells (indexes into the Int32Array over the first CTRL_BYTES) */
export const CELL = Object.freeze({ STATE: 0, LENGTH: 1, TID: 2, STARTED: 3, READY: 4 });

/** the values of CELL.STATE: the asker writes REQUEST (or STOP), the worker RESPONSE or FAILED, the asker IDLE */
export const STATE = Object.freeze({ IDLE: 0, REQUEST: 1, RESPONSE: 2, FAILED: 3, STOP: 4 });

/** the values of CELL.READY */
export const READY = Object.freeze({ LOADING: 0, LOADED: 1, FAILED: 2 });
