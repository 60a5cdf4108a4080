// Background work that runs one round at a time: a request while a round runs asks for one more round after
// it (however many requests came), and `idle()` waits until no round is running. Rounds may also run on a
// schedule. Used by the text analysis and by emerging-incident detection.

export class CoalescingJob {
	private running: Promise<void> | null = null;
	private again = false;
	private timer: ReturnType<typeof setInterval> | null = null;

	/** `round` must not throw: it logs its own failures (a failed round is retried by the next request). */
	constructor(private readonly round: () => Promise<void>) {}

	get busy(): boolean {
		return !!this.running;
	}

	get scheduled(): boolean {
		return !!this.timer;
	}

	request(): Promise<void> {
		if (this.running) {
			this.again = true;
			return this.running;
		}
		this.running = (async () => {
			do {
				this.again = false;
				await this.round();
			} while (this.again);
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

	async idle(): Promise<void> {
		while (this.running) await this.running;
	}
}
