// Demo data for the relational store: the generator's recent and open tickets with their lifecycle events,
// so the case-handling screens have real work.
import { eq, sql } from 'drizzle-orm';
import type { DemoTicket } from '$pipelines/demo/generate';
import type { Db } from './db';
import { ticketEvents, tickets, type NewTicketEventRow, type NewTicketRow } from './db/schema';

const d = (ms: number | null) => (ms === null ? null : new Date(ms));

export async function hasDemoTickets(db: Db): Promise<boolean> {
	const r = await db.select({ n: sql<number>`count(*)::int` }).from(tickets).where(eq(tickets.source, 'demo'));
	return (r[0]?.n ?? 0) > 0;
}

export async function insertDemoTickets(db: Db, batch: DemoTicket[]): Promise<void> {
	for (let i = 0; i < batch.length; i += 400) {
		const part = batch.slice(i, i + 400);
		await db.transaction(async (tx) => {
			const rows: NewTicketRow[] = part.map(({ fact: f, state, callerName, callerPhone }) => ({
				ticketNo: f.ticket_no,
				source: f.source,
				externalId: f.external_id,
				channel: f.channel,
				type: f.type,
				categoryCode: f.category_code,
				title: f.title ?? '',
				content: f.content,
				address: f.address ?? '',
				districtCode: f.district_code,
				streetCode: f.street_code,
				lon: f.lon,
				lat: f.lat,
				urgency: f.urgency,
				status: f.status,
				unitCode: f.unit_code,
				callerName,
				callerPhone,
				receivedAt: new Date(f.received_at),
				updatedAt: new Date(f.updated_at),
				signDeadline: d(f.sign_deadline),
				replyDeadline: d(f.reply_deadline),
				dispatchedAt: d(f.dispatched_at),
				signedAt: d(f.signed_at),
				repliedAt: d(f.replied_at),
				closedAt: d(f.closed_at),
				satisfaction: f.satisfaction,
				notAcceptedReason: f.not_accepted_reason,
				transferredTo: f.transferred_to,
				version: state.seen
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
