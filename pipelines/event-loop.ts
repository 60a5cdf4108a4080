// Long work on a server's thread in slices: between slices, the requests that arrived meanwhile are answered.
// The CLI runs the same code; a turn of the event loop costs it a few microseconds.

/** Resolves after one turn of the event loop (the I/O callbacks pending now run first). */
export function nextTurn(): Promise<void> {
	return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The rows of a materialised query result (a DuckDB `conn.run` result: chunks of up to 2,048 rows), converted to
 * JavaScript values chunk by chunk with a turn of the event loop between chunks. The conversion costs this thread
 * 3–5 µs a row: a text round's read of 5,000 pending texts held the server's requests for 15–28 ms at once
 * (`getRows()` on the whole result, measured by a throwaway script).
 */
export async function rowsInTurns<R>(result: { readonly chunkCount: number; getChunk(i: number): { getRows(): R[] } }): Promise<R[]> {
	const out: R[] = [];
	for (let i = 0; i < result.chunkCount; i++) {
		if (i > 0) await nextTurn();
		for (const r of result.getChunk(i).getRows()) out.push(r);
	}
	return out;
}

/**
 * Calls `f` on consecutive slices of `items`, `size` items each (the last may be shorter), with a turn of the
 * event loop between slices; returns the concatenated results in order.
 */
export async function mapInSlices<T, R>(items: readonly T[], size: number, f: (slice: readonly T[]) => readonly R[]): Promise<R[]> {
	const out: R[] = [];
	for (let i = 0; i < items.length; i += size) {
		if (i > 0) await nextTurn();
		for (const r of f(items.slice(i, i + size))) out.push(r);
	}
	return out;
}

/**
 * Calls `each` on every item in order; after every `size` items (not after the last) calls `between` (an
 * appender's flush, so that its buffered rows are written in that slice and not all at the end) and gives the event
 * loop a turn.
 */
export async function forEachInSlices<T>(
	items: readonly T[],
	size: number,
	each: (item: T, index: number) => void,
	between: () => void = () => {}
): Promise<void> {
	for (let i = 0; i < items.length; i++) {
		if (i > 0 && i % size === 0) {
			between();
			await nextTurn();
		}
		each(items[i], i);
	}
}

/**
 * A long loop's turns of the event loop by time: `due()` says a turn is due once `sliceMs` have passed since the
 * last one (it reads the clock only every `checkEvery` calls, so a tight loop may call it on every item), and
 * `turn()` gives it. Usage: `if (slices.due()) await slices.turn();`
 */
export class TimeSlices {
	private last = performance.now();
	private calls = 0;

	constructor(
		private readonly sliceMs = 10,
		private readonly checkEvery = 1024
	) {}

	due(): boolean {
		if (++this.calls % this.checkEvery !== 0) return false;
		return performance.now() - this.last > this.sliceMs;
	}

	async turn(): Promise<void> {
		await nextTurn();
		this.last = performance.now();
	}
}
