// A ticket row of the relational store from an analytics fact row plus the personal data that analytics
// never hold (the demo generator and feed ingest both hand tickets over this way).
import { normalizePhone } from '$pipelines/normalize/index';
import type { FactRow } from '$pipelines/warehouse/facts';
import type { NewTicketRow } from './schema';

const d = (ms: number | null) => (ms === null ? null : new Date(ms));

export function ticketRowFromFact(f: FactRow, caller: { name: string | null; phone: string | null }, version = 1): NewTicketRow {
	return {
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
		callerName: caller.name,
		callerPhone: caller.phone,
		callerPhoneKey: caller.phone ? normalizePhone(caller.phone) : null,
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
		version
	};
}
