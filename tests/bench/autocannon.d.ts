// The part of autocannon's API the intake benchmark uses (the package ships no types).
declare module 'autocannon' {
	interface Histogram {
		p50: number;
		p99: number;
		max: number;
		average: number;
	}
	interface Result {
		'2xx': number;
		non2xx: number;
		errors: number;
		timeouts: number;
		latency: Histogram;
		/** `sent`: every call sent, those still unanswered when the run stopped included */
		requests: Histogram & { sent: number };
	}
	interface Options {
		url: string;
		connections?: number;
		duration?: number;
		requests?: {
			method?: string;
			headers?: Record<string, string>;
			body?: string;
			setupRequest?: (req: Record<string, unknown>) => Record<string, unknown>;
		}[];
	}
	function autocannon(opts: Options): Promise<Result>;
	export default autocannon;
}
