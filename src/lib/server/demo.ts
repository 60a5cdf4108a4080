// Demo data for the relational store: the generator's recent and open tickets with their lifecycle events,
// so the case-handling screens have real work.
import { eq, sql } from 'drizzle-orm';
import type { DemoTicket } from '$pipelines/demo/generate';
import type { Db } from './db';
import { ticketRowFromFact } from './db/from-fact';
import { settings, ticketEvents, tickets, type NewTicketEventRow } from './db/schema';

export async function hasDemoTickets(db: Db): Promise<boolean> {
	return (await demoTicketsHeld(db)).n > 0;
}

/** The settings row written with the relational demo, in its transaction: the demo there is whole. */
const DEMO_KEY = 'demo_relational';

/**
 * The demo tickets the relational store holds, and whether they are known to be whole: loaded with their completion
 * record (writeDemoComplete, in the same transaction as the tickets). Tickets without one were loaded by an
 * earlier version, one batch at a time, and may be a part left by an interrupted start.
 */
export async function demoTicketsHeld(db: Db): Promise<{ n: number; complete: boolean }> {
	const r = await db.select({ n: sql<number>`count(*)::int` }).from(tickets).where(eq(tickets.source, 'demo'));
	const [mark] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, DEMO_KEY));
	return { n: r[0]?.n ?? 0, complete: !!mark };
}

/** Records, last in the demo's transaction, that the relational demo is whole. */
export async function writeDemoComplete(db: Db, info: { tickets: number; seed: number; days: number }): Promise<void> {
	await db
		.insert(settings)
		.values({ key: DEMO_KEY, value: { ...info, loadedAt: new Date().toISOString() } })
		.onConflictDoUpdate({ target: settings.key, set: { value: sql`excluded.value`, updatedAt: sql`now()` } });
}

export async function insertDemoTickets(db: Db, batch: DemoTicket[]): Promise<void> {
	for (let i = 0; i < batch.length; i += 400) {
		const part = batch.slice(i, i + 400);
		await db.transaction(async (tx) => {
			// the units assisting the current dispatch, as the dispatch action leaves them (they see the ticket too), and
			// the return visits of the reply that reached nobody, as 回访未接通 counts them
			const rows = part.map((t) => ({
				...ticketRowFromFact(t.fact, { name: t.callerName, phone: t.callerPhone }, t.state.seen),
				assistUnits: t.state.assistUnits,
				visitAttempts: t.state.visitAttempts,
				visitAttemptedAt: t.state.visitAttemptedAt === null ? null : new Date(t.state.visitAttemptedAt),
				visitFailure: t.state.visitFailure
			}));
			const ids = await tx.insert(tickets).values(rows).returning({ id: tickets.id, ticketNo: tickets.ticketNo });
			const idOf = new Map(ids.map((r) => [r.ticketNo, r.id]));
			const events: NewTicketEventRow[] = part.flatMap((t) =>
				t.events.map((e) => ({
					ticketId: idOf.get(t.fact.ticket_no)!,
					action: e.action,
					fromStatus: e.from,
					toStatus: e.to,
					actorName: e.actor,
					unitCode: e.unitCode,
					note: e.note,
					data: e.data ?? null,
					at: new Date(e.at)
				}))
			);
			for (let k = 0; k < events.length; k += 2000) await tx.insert(ticketEvents).values(events.slice(k, k + 2000));
		});
	}
}
