import { Writable } from 'node:stream';

/** A pipe whose reader has gone after `accept` writes: the next write fails with EPIPE, as stdout's does under `| head`. */
export class ClosedPipe extends Writable {
	readonly got: string[] = [];
	constructor(private accept = 1, highWaterMark = 16_384) {
		super({ highWaterMark });
	}
	override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
		if (this.accept-- > 0) {
			this.got.push(chunk.toString());
			cb();
		} else cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
	}
}
