// Background work that runs one round at a time: a request while a round runs asks for one more round after
// it (however many requests came), and `idle()` waits until no round is running. Rounds may also run on a
// schedule. Used by the sync to analytics, the text analysis and emerging-incident detection.

/** Waits for `p`, but at most `ms` (the timer is cleared either way); false when the time ran out first. */
export async function waitAtMost(p: Promise<unknown>, ms: number): Promise<boolean> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	try {
		return await Promise.race([p.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]);
	} finally {
		clearTimeout(timer);
	}
}

export class CoalescingJob {
	private running: Promise<void> | null = null;
	private again = false;
	private timer: ReturnType<typeof setInterval> | null = null;
	private lastStart = -Infinity;
	/** the round in progress */
	private current: Promise<void> | null = null;
	/** set while exclusive work runs: no round starts */
	private held: Promise<void> | null = null;
	private isClosed = false;

	/**
	 * `round` must not throw: it logs its own failures (a failed round is retried by the next request).
	 * `minGapMs`: a round starts at least this long after the previous one started, so a stream of requests
	 * (a sync after every few new tickets) gives one round per gap, not one round after another.
	 */
	constructor(
		private readonly round: () => Promise<void>,
		private readonly minGapMs = 0
	) {}

	get busy(): boolean {
		return !!this.running;
	}

	/** Whether exclusive work runs or waits for the round in progress (a long round may give way: see sync.ts). */
	get contended(): boolean {
		return !!this.held;
	}

	/**
	 * When the latest round started, on the monotonic clock (`performance.now()`: ms since the process started;
	 * −Infinity before the first): the gap and a round's age are durations, which a wall clock set back or forward
	 * (an NTP correction, an operator fixing the time) would stretch — set back by days, it held every sync for days.
	 */
	get startedAt(): number {
		return this.lastStart;
	}

	get scheduled(): boolean {
		return !!this.timer;
	}

	/** Whether close() was called: no round starts any more. */
	get closed(): boolean {
		return this.isClosed;
	}

	request(): Promise<void> {
		if (this.isClosed) return this.running ?? Promise.resolve();
		if (this.running) {
			this.again = true;
			return this.running;
		}
		this.running = (async () => {
			do {
				this.again = false;
				const wait = this.lastStart + this.minGapMs - performance.now();
				if (wait > 0) await new Promise((r) => setTimeout(r, wait));
				while (this.held) await this.held;
				if (this.isClosed) break;
				this.lastStart = performance.now();
				this.current = this.round();
				try {
					await this.current;
				} finally {
					this.current = null;
				}
			} while (this.again && !this.isClosed);
			this.running = null;
		})();
		return this.running;
	}

	/** Requests a round every `ms` (the timer does not keep the process alive). */
	every(ms: number): void {
		if (this.timer) return;
		this.timer = setInterval(() => void this.request(), ms);
		this.timer.unref?.();
	}

	stop(): void {
		if (this.timer) clearInterval(this.timer);
		this.timer = null;
	}

	/**
	 * For a shutdown: no round starts any more (requests and the schedule are ignored); the round in progress, if
	 * any, runs on (idle() waits for it) and may look at `closed` to end early.
	 */
	close(): void {
		this.isClosed = true;
		this.stop();
	}

	/**
	 * Runs `fn` while no round runs: holds new rounds back, waits for the round in progress (not for the ones
	 * requested after it: under a steady stream of requests there is always another), runs `fn`, then lets the
	 * held rounds go. One `fn` at a time. For work that must not overlap a round, such as another writer's
	 * transaction on the rows a round writes.
	 */
	async exclusive<T>(fn: () => Promise<T>): Promise<T> {
		while (this.held) await this.held;
		let release!: () => void;
		this.held = new Promise<void>((r) => (release = r));
		try {
			while (this.current) await this.current;
			return await fn();
		} finally {
			this.held = null;
			release();
		}
	}

	async idle(): Promise<void> {
		while (this.running) await this.running;
	}
}
