// Bulk writes of ticket facts through DuckDB's appender, a data chunk at a time.
import {
	DuckDBDataChunk,
	DuckDBDateValue,
	DuckDBTimestampTZValue,
	jsToDuckDBValue,
	listValue,
	type DuckDBAppender,
	type DuckDBConnection,
	type DuckDBType,
	type DuckDBValue
} from '@duckdb/node-api';
import { FACT_COLUMNS } from './schema';
import type { UnitRound } from '../lifecycle/rounds';

/** One ticket as the analytics store holds it; times are epoch milliseconds. */
export interface FactRow {
	ticket_no: string;
	source: string;
	external_id: string;
	channel: string;
	type: string;
	category_code: string | null;
	category_l1: string | null;
	category_l2: string | null;
	title: string | null;
	content: string;
	address: string | null;
	district_code: string | null;
	street_code: string | null;
	lon: number | null;
	lat: number | null;
	urgency: string;
	status: string;
	unit_code: string | null;
	received_at: number;
	/** YYYY-MM-DD, Asia/Shanghai */
	day: string;
	hour: number;
	updated_at: number;
	dispatched_at: number | null;
	signed_at: number | null;
	replied_at: number | null;
	closed_at: number | null;
	sign_deadline: number | null;
	reply_deadline: number | null;
	satisfaction: string | null;
	not_accepted_reason: number | null;
	transferred_to: string | null;
	returns: number;
	extensions: number;
	reopens: number;
	urges: number;
	sign_on_time: boolean | null;
	reply_on_time: boolean | null;
	caller_key: string | null;
	tokens: string[] | null;
	keywords: string[] | null;
	/** set by the text analysis; absent means not analysed yet */
	sentiment?: number | null;
	intensity?: number | null;
	flags: string[] | null;
	/** the handling rounds from the events; absent or null: not known (a feed's ticket) */
	rounds?: UnitRound[] | null;
	/** the assisting units of its dispatches (pipelines/lifecycle/rounds.ts unitAssists); absent or null: none known */
	assists?: string[] | null;
}

const CHUNK = 2048;
const DAY_MS = 86_400_000;

function toDuck(kind: string, type: DuckDBType, v: unknown): DuckDBValue {
	if (v === null || v === undefined) return null;
	switch (kind) {
		case 'TIMESTAMPTZ':
			return new DuckDBTimestampTZValue(BigInt(Math.round(v as number)) * 1000n);
		case 'VARCHAR[]':
			return listValue(v as string[]);
		case 'STRUCT[]':
			// a list of records (the handling rounds), field by field as the column's type says
			return jsToDuckDBValue(v as never, type);
		case 'DATE':
			return new DuckDBDateValue(Math.round(Date.parse(`${v as string}T00:00:00Z`) / DAY_MS));
		default:
			return v as DuckDBValue;
	}
}

/**
 * Buffers rows column-wise and appends them to `table` in chunks. The table has the tickets_fact layout —
 * or only the fact columns named in `only`, in FACT_COLUMNS order — optionally followed by `extra` columns
 * whose values come with each row.
 */
export class FactWriter {
	private columns: DuckDBValue[][];
	private pending = 0;
	/** one native chunk, reused: chunks left to the garbage collector pile up outside the JS heap */
	private readonly chunk: DuckDBDataChunk;
	private readonly names: (keyof FactRow)[];
	private readonly kinds: string[];
	private readonly types: DuckDBType[];
	written = 0;

	private constructor(
		private readonly appender: DuckDBAppender,
		private readonly extra: readonly DuckDBType[],
		only: readonly string[] | null
	) {
		const cols = only ? FACT_COLUMNS.filter((c) => only.includes(c.name)) : FACT_COLUMNS;
		this.names = cols.map((c) => c.name as keyof FactRow);
		this.kinds = cols.map((c) => (/^STRUCT\(.*\)\[\]$/.test(c.sql) ? 'STRUCT[]' : c.sql.split(' ')[0]));
		this.types = cols.map((c) => c.type);
		this.columns = [...this.names, ...extra].map(() => []);
		this.chunk = DuckDBDataChunk.create([...cols.map((c) => c.type), ...extra], CHUNK);
	}

	/** `catalog` 'temp' appends to a temporary table; `only` as in the class comment */
	static async open(
		conn: DuckDBConnection,
		table = 'tickets_fact',
		extra: readonly DuckDBType[] = [],
		catalog: string | null = null,
		only: readonly string[] | null = null
	): Promise<FactWriter> {
		return new FactWriter(await conn.createAppender(table, catalog ? 'main' : null, catalog), extra, only);
	}

	add(row: FactRow, extraValues: readonly DuckDBValue[] = []): void {
		const { names, kinds, types, columns } = this;
		for (let i = 0; i < names.length; i++) columns[i].push(toDuck(kinds[i], types[i], row[names[i]]));
		for (let j = 0; j < this.extra.length; j++) columns[names.length + j].push(extraValues[j] ?? null);
		if (++this.pending >= CHUNK) this.flushChunk();
	}

	private flushChunk(): void {
		if (!this.pending) return;
		this.chunk.reset();
		this.chunk.setColumns(this.columns);
		this.appender.appendDataChunk(this.chunk);
		this.written += this.pending;
		this.pending = 0;
		this.columns = this.columns.map(() => []);
	}

	/** Writes everything added (closing an appender flushes it) and ends the appender. */
	close(): void {
		this.flushChunk();
		this.appender.closeSync();
	}
}

/**
 * SQL giving a TIMESTAMPTZ as RFC 3339 in Asia/Shanghai (2026-12-02T23:53:32+08:00), for JSON that programs read:
 * strftime's %z writes +08, which Date.parse and other RFC 3339 readers refuse. NULL stays NULL.
 */
export function isoShanghaiSql(expr: string): string {
	return `strftime(timezone('Asia/Shanghai', ${expr}), '%Y-%m-%dT%H:%M:%S') || '+08:00'`;
}

/** Asia/Shanghai (UTC+8, no daylight saving) calendar date and hour of an instant. */
export function shanghaiDayHour(ms: number): { day: string; hour: number } {
	const d = new Date(ms + 8 * 3_600_000);
	return { day: d.toISOString().slice(0, 10), hour: d.getUTCHours() };
}
