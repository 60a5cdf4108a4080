// Demo data for the relational store: the generator's recent and open tickets with their lifecycle events,
// so the case-handling screens have real work.
import { eq, sql } from 'drizzle-orm';
import type { DemoTicket } from '$pipelines/demo/generate';
import type { Db } from './db';
import { ticketRowFromFact } from './db/from-fact';
import { ticketEvents, tickets, type NewTicketEventRow } from './db/schema';

export async function hasDemoTickets(db: Db): Promise<boolean> {
	const r = await db.select({ n: sql<number>`count(*)::int` }).from(tickets).where(eq(tickets.source, 'demo'));
	return (r[0]?.n ?? 0) > 0;
}

export async function insertDemoTickets(db: Db, batch: DemoTicket[]): Promise<void> {
	for (let i = 0; i < batch.length; i += 400) {
		const part = batch.slice(i, i + 400);
		await db.transaction(async (tx) => {
			const rows = part.map((t) => ticketRowFromFact(t.fact, { name: t.callerName, phone: t.callerPhone }, t.state.seen));
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
