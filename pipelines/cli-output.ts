// The standard output of the commands that write a line per input line (segment, classify, cluster,
// detect-series): written with back-pressure, and a reader that goes away (`… | head`) ends the command quietly.
// Without a listener, the stream's EPIPE error was an unhandled 'error' event: a stack trace and exit code 1.
import { once } from 'node:events';

const isEpipe = (e: unknown) => (e as NodeJS.ErrnoException | null)?.code === 'EPIPE';

export class LineOutput {
	private closed = false;
	private failure: Error | null = null;
	private pending = '';
	private readonly onError = (e: Error) => {
		if (isEpipe(e)) this.closed = true;
		else this.failure ??= e;
	};

	constructor(private readonly out: NodeJS.WritableStream) {
		out.on('error', this.onError);
	}

	/** Whether the reader has gone away: nothing more is written, and the command may stop reading its input. */
	get gone(): boolean {
		return this.closed;
	}

	/** Writes `s` (nothing once the reader is gone), waiting while the stream's buffer is full. */
	async write(s: string): Promise<void> {
		this.check();
		if (this.closed) return;
		try {
			if (!this.out.write(s)) await once(this.out as unknown as NodeJS.EventEmitter, 'drain');
		} catch (e) {
			if (!isEpipe(e)) throw e;
			this.closed = true;
		}
		this.check();
	}

	/** Adds `s` to what is written next: once 64 KB have gathered, or at `end` (fewer, larger writes). */
	async add(s: string): Promise<void> {
		this.pending += s;
		if (this.pending.length >= 1 << 16) await this.flush();
	}

	/**
	 * Writes what `add` gathered; then throws a write error other than the reader going away. The listener stays
	 * after EPIPE (the stream may still report the writes that failed).
	 */
	async end(): Promise<void> {
		await this.flush();
		this.check();
		if (!this.closed) this.out.off('error', this.onError);
	}

	private async flush(): Promise<void> {
		const s = this.pending;
		this.pending = '';
		if (s) await this.write(s);
	}

	private check(): void {
		if (this.failure) throw this.failure;
	}
}
