import { describe, expect, it } from 'vitest';
import { feedLimits, unitAssists, unitRounds, type RoundEvent } from './rounds';

const H = 3_600_000;
const ev = (action: string, to: string, unit: string | null, at: number, extra: Partial<RoundEvent> = {}): RoundEvent => ({ action, to, unit, at, ...extra });

describe('handling rounds', () => {
	it('gives each dispatch its own round, charged to the unit it went to', () => {
		const rounds = unitRounds([
			ev('receive', 'received', null, 0),
			ev('accept', 'accepted', null, H),
			ev('dispatch', 'dispatched', 'A', 2 * H, { signDeadline: 10 * H, replyDeadline: 100 * H }),
			// A answers after its sign-for limit, by returning the ticket
			ev('urge', 'dispatched', 'A', 5 * H),
			ev('return', 'accepted', 'A', 12 * H),
			ev('note', 'accepted', null, 13 * H),
			ev('dispatch', 'dispatched', 'B', 14 * H, { signDeadline: 30 * H, replyDeadline: 200 * H }),
			ev('sign', 'signed', 'B', 20 * H),
			ev('extension_request', 'signed', 'B', 50 * H),
			ev('extension_approve', 'signed', 'B', 60 * H, { replyDeadline: 300 * H }),
			ev('reply', 'replied', 'B', 250 * H),
			ev('visit', 'reopened', 'B', 260 * H, { satisfaction: '不满意' }),
			ev('dispatch', 'dispatched', 'B', 261 * H, { signDeadline: 270 * H, replyDeadline: 400 * H }),
			ev('sign', 'signed', 'B', 262 * H),
			ev('reply', 'replied', 'B', 300 * H),
			ev('visit', 'closed', 'B', 310 * H, { satisfaction: '满意' })
		]);
		expect(rounds).toEqual([
			{ unit: 'A', dispatched_at: 2 * H, sign_deadline: 10 * H, signed_at: 12 * H, reply_deadline: 100 * H, replied_at: null, satisfaction: null, returned: true, extended: false, reopened: false },
			{ unit: 'B', dispatched_at: 14 * H, sign_deadline: 30 * H, signed_at: 20 * H, reply_deadline: 300 * H, replied_at: 250 * H, satisfaction: '不满意', returned: false, extended: true, reopened: true },
			{ unit: 'B', dispatched_at: 261 * H, sign_deadline: 270 * H, signed_at: 262 * H, reply_deadline: 400 * H, replied_at: 300 * H, satisfaction: '满意', returned: false, extended: false, reopened: false }
		]);
	});

	it('marks a reopening of a closed ticket on its last round, and keeps a round still open as it stands', () => {
		const closed = unitRounds([
			ev('dispatch', 'dispatched', 'A', 0, { signDeadline: H, replyDeadline: 10 * H }),
			ev('sign', 'signed', 'A', H / 2),
			ev('reply', 'replied', 'A', 5 * H),
			ev('visit', 'closed', 'A', 6 * H, { satisfaction: '基本满意' }),
			ev('reopen', 'reopened', 'A', 7 * H)
		]);
		expect(closed).toHaveLength(1);
		expect(closed[0]).toMatchObject({ satisfaction: '基本满意', reopened: true, returned: false });
		const open = unitRounds([ev('dispatch', 'dispatched', 'A', 0, { signDeadline: H, replyDeadline: 10 * H })]);
		expect(open).toEqual([{ unit: 'A', dispatched_at: 0, sign_deadline: H, signed_at: null, reply_deadline: 10 * H, replied_at: null, satisfaction: null, returned: false, extended: false, reopened: false }]);
	});

	it('ends a round at a recall (收回): not a return; a limit passed before it is late, one still running leaves no result', () => {
		const round = (unit: string, rest: Partial<ReturnType<typeof unitRounds>[number]>) => ({
			unit, signed_at: null, replied_at: null, satisfaction: null, returned: false, extended: false, reopened: false, ...rest
		});
		const rounds = unitRounds([
			// A: recalled unsigned within its sign-for limit (sent to the wrong unit): nothing to charge
			ev('dispatch', 'dispatched', 'A', 0, { signDeadline: 10 * H, replyDeadline: 100 * H }),
			ev('recall', 'accepted', 'A', 5 * H),
			// B: never signed, recalled after its sign-for limit: a late sign-for
			ev('dispatch', 'dispatched', 'B', 6 * H, { signDeadline: 16 * H, replyDeadline: 106 * H }),
			ev('recall', 'accepted', 'B', 20 * H),
			// C: signed in time, recalled after its reply limit without a reply: a late reply
			ev('dispatch', 'dispatched', 'C', 21 * H, { signDeadline: 31 * H, replyDeadline: 50 * H }),
			ev('sign', 'signed', 'C', 22 * H),
			ev('recall', 'accepted', 'C', 60 * H),
			// D: signed, recalled within its reply limit; its later events (a note) belong to no round
			ev('dispatch', 'dispatched', 'D', 61 * H, { signDeadline: 71 * H, replyDeadline: 161 * H }),
			ev('sign', 'signed', 'D', 62 * H),
			ev('recall', 'accepted', 'D', 70 * H),
			ev('reply', 'replied', 'D', 80 * H)
		]);
		expect(rounds).toEqual([
			round('A', { dispatched_at: 0, sign_deadline: 10 * H, reply_deadline: 100 * H }),
			round('B', { dispatched_at: 6 * H, sign_deadline: 16 * H, reply_deadline: 106 * H, signed_at: 20 * H }),
			round('C', { dispatched_at: 21 * H, sign_deadline: 31 * H, reply_deadline: 50 * H, signed_at: 22 * H, replied_at: 60 * H }),
			round('D', { dispatched_at: 61 * H, sign_deadline: 71 * H, reply_deadline: 161 * H, signed_at: 62 * H })
		]);
	});

	it('has no round for a ticket never dispatched, and none for events without one', () => {
		expect(unitRounds([ev('receive', 'received', null, 0), ev('not_accept', 'not_accepted', null, H)])).toEqual([]);
		expect(unitRounds([ev('sign', 'signed', 'A', 0), ev('return', 'accepted', 'A', H)])).toEqual([]);
	});
});

describe('assisting units (协办)', () => {
	it('names each unit a dispatch asked to assist, once a dispatch, and neither the lead nor other events', () => {
		expect(
			unitAssists([
				ev('receive', 'received', null, 0),
				ev('dispatch', 'dispatched', 'A', H, { assistUnits: ['B', 'C', 'B', 'A'] }),
				ev('note', 'dispatched', 'B', 2 * H),
				ev('return', 'accepted', 'A', 3 * H),
				ev('dispatch', 'dispatched', 'D', 4 * H, { assistUnits: ['B'] }),
				ev('dispatch', 'dispatched', 'D', 5 * H)
			])
		).toEqual(['B', 'C', 'B']);
	});
});

describe('handling rounds of a feed’s ticket and of a recount', () => {
	it('gives the unit a feed names a round, with the visit the feed reports; another unit in a later version starts another', () => {
		const rounds = unitRounds([
			ev('receive', 'dispatched', 'A', 0),
			ev('feed_update', 'signed', 'A', H),
			ev('feed_update', 'closed', 'B', 5 * H, { satisfaction: '满意' }),
			// then handled here: B's ticket is returned and goes to C
			ev('reopen', 'reopened', 'B', 6 * H),
			ev('dispatch', 'dispatched', 'C', 7 * H, { signDeadline: 9 * H, replyDeadline: 50 * H })
		]);
		expect(rounds.map((r) => [r.unit, r.dispatched_at, r.satisfaction, r.reopened, r.sign_deadline])).toEqual([
			// not dispatched here: no dispatch instant
			['A', null, null, false, null],
			['B', null, '满意', true, null],
			['C', 7 * H, null, false, 9 * H]
		]);
		// a version that names no unit leaves none holding it
		expect(unitRounds([ev('receive', 'accepted', null, 0), ev('feed_update', 'dispatched', 'A', H), ev('feed_update', 'accepted', null, 2 * H), ev('sign', 'signed', 'A', 3 * H)])).toEqual([
			expect.objectContaining({ unit: 'A', signed_at: null })
		]);
	});

	it("takes the sign-for, the reply and their limits a feed's versions report; a later version's replace them, one without leaves them", () => {
		const rounds = unitRounds([
			ev('receive', 'signed', 'A', 0, { signDeadline: 4 * H, signedAt: 5 * H, replyDeadline: 100 * H }),
			ev('feed_update', 'replied', 'A', 90 * H, { replyDeadline: 140 * H, repliedAt: 120 * H }),
			ev('feed_update', 'closed', 'A', 130 * H, { satisfaction: '基本满意' }),
			// another unit's version starts its own round with what it reports
			ev('feed_update', 'signed', 'B', 150 * H, { signedAt: 151 * H })
		]);
		expect(rounds).toEqual([
			{ unit: 'A', dispatched_at: null, sign_deadline: 4 * H, signed_at: 5 * H, reply_deadline: 140 * H, replied_at: 120 * H, satisfaction: '基本满意', returned: false, extended: false, reopened: false },
			{ unit: 'B', dispatched_at: null, sign_deadline: null, signed_at: 151 * H, reply_deadline: null, replied_at: null, satisfaction: null, returned: false, extended: false, reopened: false }
		]);
	});

	it("gives a feed's ticket the limits its versions reported, each kept until a later one reports another", () => {
		expect(feedLimits([ev('receive', 'signed', 'A', 0)])).toEqual({ signDeadline: null, replyDeadline: null });
		expect(
			feedLimits([
				ev('receive', 'dispatched', 'A', 0, { signDeadline: 4 * H }),
				ev('feed_update', 'signed', 'A', 5 * H, { signedAt: 5 * H, replyDeadline: 100 * H }),
				ev('feed_update', 'signed', 'A', 6 * H, { replyDeadline: 140.4 * H }),
				// not a feed's: a dispatch here gives the store its own limits, which the sync reads from the ticket
				ev('dispatch', 'dispatched', 'B', 7 * H, { signDeadline: 9 * H, replyDeadline: 300 * H }),
				ev('feed_update', 'signed', 'B', 8 * H)
			])
		).toEqual({ signDeadline: 4 * H, replyDeadline: Math.round(140.4 * H) });
	});

	it('takes the limits a recount gives the open round', () => {
		const [r] = unitRounds([
			ev('dispatch', 'dispatched', 'A', 0, { signDeadline: 10 * H, replyDeadline: 100 * H }),
			ev('recount', 'dispatched', 'A', H, { signDeadline: 34 * H, replyDeadline: 124 * H }),
			ev('sign', 'signed', 'A', 20 * H),
			ev('recount', 'signed', 'A', 21 * H, { replyDeadline: 148 * H })
		]);
		expect(r).toMatchObject({ sign_deadline: 34 * H, signed_at: 20 * H, reply_deadline: 148 * H });
	});
});
