// The relational store: source of truth for tickets and their lifecycle (DESIGN.md).
// One drizzle schema for the embedded PGlite default and for PostgreSQL.
import { sql } from 'drizzle-orm';
import {
	bigint,
	bigserial,
	boolean,
	check,
	customType,
	date,
	doublePrecision,
	index,
	integer,
	jsonb,
	pgTable,
	primaryKey,
	serial,
	smallint,
	text,
	timestamp,
	uniqueIndex
} from 'drizzle-orm/pg-core';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
/** A 64-bit transaction id (PostgreSQL 13+), as text: ordered, and never wrapping around. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

export const districts = pgTable('districts', {
	code: text('code').primaryKey(), // GB/T 2260, 6 digits
	name: text('name').notNull(),
	hasPolygon: boolean('has_polygon').notNull().default(true)
});

export const streets = pgTable(
	'streets',
	{
		code: text('code').primaryKey(), // 9 digits
		name: text('name').notNull(),
		districtCode: text('district_code')
			.notNull()
			.references(() => districts.code)
	},
	(t) => [index('streets_district_idx').on(t.districtCode)]
);

export const categories = pgTable('categories', {
	code: text('code').primaryKey(), // 2/4/6 digits for level 1/2/3
	level: smallint('level').notNull(),
	parentCode: text('parent_code'),
	name: text('name').notNull(),
	path: text('path').notNull(),
	/** false: not offered for new tickets (设置 › 分类); the tickets that have it keep it */
	active: boolean('active').notNull().default(true),
	/** as for units: changed in 设置 › 分类, then no longer overwritten by the reference file */
	editedAt: tstz('edited_at'),
	editedBy: text('edited_by'),
	formerNames: text('former_names').array().notNull().default(sql`'{}'::text[]`),
	version: integer('version').notNull().default(1)
});

export const units = pgTable('units', {
	code: text('code').primaryKey(),
	name: text('name').notNull(),
	shortName: text('short_name').notNull(),
	kind: text('kind').notNull(), // municipal | utility | district | street
	districtCode: text('district_code').references(() => districts.code),
	streetCode: text('street_code').references(() => streets.code),
	/** false: no new tickets go to it (设置 › 单位); the tickets it holds stay with it */
	active: boolean('active').notNull().default(true),
	/** when and by whom 设置 › 单位 last changed it: from then on the reference file no longer overwrites it */
	editedAt: tstz('edited_at'),
	editedBy: text('edited_by'),
	/** the names and short names it had before a change there: imports of older records still find it by them */
	formerNames: text('former_names').array().notNull().default(sql`'{}'::text[]`),
	version: integer('version').notNull().default(1)
});

/**
 * The segmentation dictionary as changed in 设置 › 词典, over the files data/dict/terms.txt and stopwords.txt: one row
 * per word an administrator added or changed. kind term: a user-dictionary word (freq, tag; inactive: taken out of
 * the dictionary, a word of terms.txt too); kind stop: a stop word (inactive: a stop word of stopwords.txt that is a
 * word again). A word of the files that was never changed has no row.
 */
export const lexicon = pgTable(
	'lexicon',
	{
		kind: text('kind').notNull(),
		word: text('word').notNull(),
		freq: integer('freq'),
		tag: text('tag'),
		active: boolean('active').notNull().default(true),
		/** true: the word is not in the files (added here) */
		added: boolean('added').notNull(),
		editedAt: tstz('edited_at').notNull().defaultNow(),
		editedBy: text('edited_by').notNull(),
		/** optimistic concurrency: a word of the files as shipped is version 1, its first change here makes 2 */
		version: integer('version').notNull().default(1)
	},
	(t) => [primaryKey({ columns: [t.kind, t.word] }), check('lexicon_kind', sql`${t.kind} IN ('term', 'stop')`)]
);

/**
 * The routing rules as set in 设置 › 派单规则, over data/reference/routing.tsv: the handler a category's tickets are
 * suggested to (street: the street office of the ticket's street; district: the district government; else a unit
 * code; null: as the file again). A category without a row, or with a null handler, follows the file (its own rules,
 * or those of the nearest category above it).
 */
export const routingRules = pgTable('routing_rules', {
	categoryCode: text('category_code').primaryKey(),
	handler: text('handler'),
	editedAt: tstz('edited_at').notNull().defaultNow(),
	editedBy: text('edited_by').notNull(),
	/** a category as the file routes it is version 1; each change here adds one */
	version: integer('version').notNull().default(2)
});

export const users = pgTable('users', {
	id: serial('id').primaryKey(),
	username: text('username').notNull().unique(),
	displayName: text('display_name').notNull(),
	role: text('role').notNull(),
	unitCode: text('unit_code').references(() => units.code),
	passwordHash: text('password_hash').notNull(),
	active: boolean('active').notNull().default(true),
	/** Demo accounts exist only while the app runs in demo mode. */
	demo: boolean('demo').notNull().default(false),
	/** The password was set by an administrator (a new account, a reset): the user changes it before anything else (我的账号). */
	mustChangePassword: boolean('must_change_password').notNull().default(false),
	createdAt: tstz('created_at').notNull().defaultNow()
});

export const sessions = pgTable(
	'sessions',
	{
		/** sha256 of the cookie token: a leaked table does not leak live sessions */
		id: text('id').primaryKey(),
		userId: integer('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		expiresAt: tstz('expires_at').notNull(),
		createdAt: tstz('created_at').notNull().defaultNow()
	},
	(t) => [index('sessions_user_idx').on(t.userId)]
);

export const apiTokens = pgTable('api_tokens', {
	id: serial('id').primaryKey(),
	name: text('name').notNull(),
	/** sha256 of the token */
	tokenHash: text('token_hash').notNull().unique(),
	/** the feed source name records pushed with this token get */
	sourceName: text('source_name').notNull(),
	scopes: text('scopes')
		.array()
		.notNull()
		.default(sql`'{}'::text[]`),
	createdBy: integer('created_by').references(() => users.id),
	createdAt: tstz('created_at').notNull().defaultNow(),
	lastUsedAt: tstz('last_used_at'),
	revokedAt: tstz('revoked_at')
});

export const settings = pgTable('settings', {
	key: text('key').primaryKey(),
	value: jsonb('value').notNull(),
	updatedAt: tstz('updated_at').notNull().defaultNow()
});

/**
 * The knowledge base operators answer consultations from (受理 assistant); seeded from data/kb/articles.json,
 * edited in 设置 › 知识库. An article is retired (停用), never deleted, so the seed does not bring it back.
 */
export const kbArticles = pgTable(
	'kb_articles',
	{
		/** a slug such as line-housing-fund */
		id: text('id').primaryKey(),
		title: text('title').notNull(),
		/** words a caller uses */
		keywords: text('keywords')
			.array()
			.notNull()
			.default(sql`'{}'::text[]`),
		/** what the operator says */
		answer: text('answer').notNull(),
		updatedAt: tstz('updated_at').notNull().defaultNow(),
		/** who last changed it (a display name, or the seed file) */
		updatedBy: text('updated_by').notNull(),
		retiredAt: tstz('retired_at'),
		/** optimistic concurrency: every change adds one */
		version: integer('version').notNull().default(1)
	},
	(t) => [
		// one article in use per title (the assistant offers them by title): knowledge.ts checks it first, to name the
		// other article, and this keeps two saves at the same moment from both passing that check
		uniqueIndex('kb_articles_active_title_idx').on(t.title).where(sql`${t.retiredAt} IS NULL`)
	]
);

export const tickets = pgTable(
	'tickets',
	{
		id: serial('id').primaryKey(),
		/** human-readable, e.g. SZ20261128-000123 */
		ticketNo: text('ticket_no').notNull().unique(),
		source: text('source').notNull(),
		externalId: text('external_id').notNull(),
		channel: text('channel').notNull(),
		type: text('type').notNull(),
		categoryCode: text('category_code').references(() => categories.code),
		title: text('title').notNull().default(''),
		content: text('content').notNull(),
		address: text('address').notNull().default(''),
		districtCode: text('district_code').references(() => districts.code),
		streetCode: text('street_code').references(() => streets.code),
		lon: doublePrecision('lon'),
		lat: doublePrecision('lat'),
		urgency: text('urgency').notNull().default('normal'), // normal | urgent
		status: text('status').notNull(),
		unitCode: text('unit_code').references(() => units.code),
		callerName: text('caller_name'),
		callerPhone: text('caller_phone'),
		/** the caller's phone in canonical digits (normalizePhone), for repeat detection */
		callerPhoneKey: text('caller_phone_key'),
		receivedAt: tstz('received_at').notNull(),
		updatedAt: tstz('updated_at').notNull(),
		signDeadline: tstz('sign_deadline'),
		replyDeadline: tstz('reply_deadline'),
		dispatchedAt: tstz('dispatched_at'),
		/**
		 * The calendar's working clock (ms, WorkCalendar.workingClock) at the dispatch and at the deadlines, set with
		 * them: the yellow light counts the working time used of a limit in working days from these (cases/read.ts).
		 */
		dispatchedWork: doublePrecision('dispatched_work'),
		signDeadlineWork: doublePrecision('sign_deadline_work'),
		replyDeadlineWork: doublePrecision('reply_deadline_work'),
		signedAt: tstz('signed_at'),
		repliedAt: tstz('replied_at'),
		closedAt: tstz('closed_at'),
		satisfaction: text('satisfaction'), // 满意 | 基本满意 | 不满意
		notAcceptedReason: smallint('not_accepted_reason'), // 1..9 (DESIGN.md)
		transferredTo: text('transferred_to'), // 110 | 119 | 120 | 122
		duplicateOf: integer('duplicate_of'),
		/** co-handling: units that assist the lead unit (`unitCode`); they see the ticket and add notes */
		assistUnits: text('assist_units')
			.array()
			.notNull()
			.default(sql`'{}'::text[]`),
		/** an extension request awaiting a decision: { days, reason, at, by } */
		extensionPending: jsonb('extension_pending'),
		/** when the ticket was put under supervision (督办); null when it never was */
		supervisedAt: tstz('supervised_at'),
		urgeCount: smallint('urge_count').notNull().default(0),
		/**
		 * Return visits of this reply that reached nobody (回访未接通): how many, when the last was and what it met
		 * (VISIT_FAILURES); a new reply starts them again
		 */
		visitAttempts: smallint('visit_attempts').notNull().default(0),
		visitAttemptedAt: tstz('visit_attempted_at'),
		visitFailure: text('visit_failure'),
		/**
		 * The return visit's deadline (回访时限, TimeLimits.visitWorkingDays) counted from the reply on the holiday
		 * calendar; null before a reply and after a reopening (the next reply sets it again)
		 */
		visitDeadline: tstz('visit_deadline'),
		/** optimistic concurrency: every transition bumps it */
		version: integer('version').notNull().default(1),
		/**
		 * The transaction that last wrote a change of the ticket (the trigger of migration 0013 sets it on insert and
		 * on every update that moves `version` or `updated_at`): the sync's watermark. Not a time: of two transactions
		 * the one that wrote first may commit last, and a sync between the two commits would pass the first's time
		 * and never see its change; the sync reads only transactions that have ended (see sync.ts).
		 */
		changedXid: xid8('changed_xid').notNull().default(sql`pg_current_xact_id()`)
	},
	(t) => [
		uniqueIndex('tickets_source_external_idx').on(t.source, t.externalId),
		index('tickets_status_idx').on(t.status),
		index('tickets_unit_status_idx').on(t.unitCode, t.status),
		index('tickets_received_idx').on(t.receivedAt),
		// the sync's watermark: rows after (changed_xid, id), in that order
		index('tickets_changed_xid_idx').on(t.changedXid, t.id),
		index('tickets_assist_idx').using('gin', t.assistUnits),
		index('tickets_caller_idx').on(t.callerPhoneKey, t.receivedAt)
	]
);

/** Append-only: a trigger in the migrations refuses UPDATE and DELETE. */
export const ticketEvents = pgTable(
	'ticket_events',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		ticketId: integer('ticket_id')
			.notNull()
			.references(() => tickets.id),
		action: text('action').notNull(),
		fromStatus: text('from_status'),
		toStatus: text('to_status').notNull(),
		actorUserId: integer('actor_user_id').references(() => users.id),
		/** who acted, as shown in the timeline (a user, a unit, or 系统) */
		actorName: text('actor_name').notNull(),
		unitCode: text('unit_code'),
		note: text('note').notNull().default(''),
		data: jsonb('data'),
		at: tstz('at').notNull()
	},
	// (no index of its own on id: the primary key is one)
	(t) => [
		index('ticket_events_ticket_idx').on(t.ticketId, t.at),
		// an account's steps in a period (工作量 on 考核, 受理's own tally of the day): the accounts' steps only, the
		// system's, the feeds' and the demo history's (most of a large store) are never looked up by who took them
		index('ticket_events_actor_idx')
			.on(t.actorUserId, t.at)
			.where(sql`${t.actorUserId} IS NOT NULL`)
	]
);

/**
 * A ticket's attachments (附件): the caller's photos an operator received, a unit's photos of the work done. Never
 * changed or removed: what was shown to whom stays on record. The files themselves are in the data directory's
 * `attachments/`, named by their SHA-256 (blobs.ts), as uploaded; an image's small WebP preview beside it.
 */
export const ticketAttachments = pgTable(
	'ticket_attachments',
	{
		id: serial('id').primaryKey(),
		ticketId: integer('ticket_id')
			.notNull()
			.references(() => tickets.id),
		/** the file's name as the uploader's computer gave it (shown, never used as a path) */
		name: text('name').notNull(),
		/** the type read from the file's own first bytes, not the one the browser claimed */
		mime: text('mime').notNull(),
		size: integer('size').notNull(),
		sha256: text('sha256').notNull(),
		width: integer('width'),
		height: integer('height'),
		/** an image's preview is kept beside the file */
		hasThumb: boolean('has_thumb').notNull().default(false),
		uploaderUserId: integer('uploader_user_id').references(() => users.id),
		uploaderName: text('uploader_name').notNull(),
		uploaderUnit: text('uploader_unit'),
		at: tstz('at').notNull()
	},
	(t) => [index('ticket_attachments_ticket_idx').on(t.ticketId, t.id)]
);

/** Last serial number of tickets registered here (受理, Open311) per Asia/Shanghai day, for their ticket numbers. */
export const ticketCounters = pgTable('ticket_counters', {
	day: text('day').primaryKey(), // YYYYMMDD
	last: integer('last').notNull()
});

/**
 * 关联: two tickets about related matters that are each handled on their own (unlike 并单, which closes one as
 * the other's duplicate). One row per pair, the lower ticket id first; linking and unlinking write events on both.
 */
export const ticketLinks = pgTable(
	'ticket_links',
	{
		ticketId: integer('ticket_id')
			.notNull()
			.references(() => tickets.id),
		linkedId: integer('linked_id')
			.notNull()
			.references(() => tickets.id),
		createdBy: text('created_by').notNull(),
		createdAt: tstz('created_at').notNull().defaultNow()
	},
	(t) => [
		primaryKey({ columns: [t.ticketId, t.linkedId] }),
		index('ticket_links_linked_idx').on(t.linkedId),
		check('ticket_links_ordered', sql`${t.ticketId} < ${t.linkedId}`)
	]
);

/**
 * What an Open311 client sent besides the ticket's own fields (GeoReport v2 POST requests): the token it used,
 * the reporter's e-mail, device and account ids (personal data: never returned by the public GET requests),
 * the media URL (public) and the attribute[code] values, kept as sent.
 */
export const open311Requests = pgTable('open311_requests', {
	ticketId: integer('ticket_id')
		.primaryKey()
		.references(() => tickets.id),
	tokenId: integer('token_id').references(() => apiTokens.id),
	serviceCode: text('service_code').notNull(),
	email: text('email'),
	deviceId: text('device_id'),
	accountId: text('account_id'),
	mediaUrl: text('media_url'),
	/** attribute[code]=value pairs; a code sent more than once (attribute[code][]=…) keeps every value */
	attributes: jsonb('attributes').notNull().default({}),
	createdAt: tstz('created_at').notNull().defaultNow()
});

export type TicketRow = typeof tickets.$inferSelect;
export type NewTicketRow = typeof tickets.$inferInsert;
export type TicketEventRow = typeof ticketEvents.$inferSelect;
export type NewTicketEventRow = typeof ticketEvents.$inferInsert;
export type UserRow = typeof users.$inferSelect;

// --- emerging incidents (预警): watch lists, alerts with their lifecycle, silences, webhooks -------------

/** Watch lists of the emergency domains; seeded from data/alerts/watchlists.json, edited in 设置. */
export const watchlists = pgTable('watchlists', {
	id: serial('id').primaryKey(),
	slug: text('slug').notNull().unique(),
	name: text('name').notNull(),
	/** terms looked for in a ticket's title and content (any of them) */
	terms: text('terms').array().notNull(),
	/** category codes (any level) whose tickets belong to the list whatever their words */
	categories: text('categories')
		.array()
		.notNull()
		.default(sql`'{}'::text[]`),
	/** 1 特别重大 (Ⅰ级) … 4 一般 (Ⅳ级) */
	severity: smallint('severity').notNull(),
	/** the responsible emergency unit */
	unitCode: text('unit_code').references(() => units.code),
	enabled: boolean('enabled').notNull().default(true),
	updatedAt: tstz('updated_at').notNull().defaultNow(),
	/** optimistic concurrency: every save adds one (设置 › 预警 saves at the version shown) */
	version: integer('version').notNull().default(1)
});

export const alerts = pgTable(
	'alerts',
	{
		id: serial('id').primaryKey(),
		title: text('title').notNull(),
		/** new | acknowledged | escalated | resolved | dismissed */
		status: text('status').notNull(),
		/** what the series say now: firing | recovering | normal */
		signal: text('signal').notNull(),
		severity: smallint('severity').notNull(),
		watchlistSlug: text('watchlist_slug'),
		categoryCode: text('category_code'),
		topicKey: text('topic_key').notNull(),
		placeLevel: text('place_level').notNull(), // city | district | street
		placeCode: text('place_code').notNull(),
		districtCode: text('district_code'),
		/** affected places [{ level, code, name, observed, expected }] */
		places: jsonb('places').notNull(),
		/** the series that fired, each with its recent buckets (observed, expected, band, score) */
		series: jsonb('series').notNull(),
		bucket: text('bucket').notNull(), // hour | day
		startedAt: tstz('started_at').notNull(),
		lastFiringAt: tstz('last_firing_at').notNull(),
		recoveredAt: tstz('recovered_at'),
		observed: integer('observed').notNull(),
		expected: doublePrecision('expected').notNull(),
		upper: doublePrecision('upper').notNull(),
		score: doublePrecision('score').notNull(),
		ticketCount: integer('ticket_count').notNull().default(0),
		/** silenced when raised: recorded and shown, not notified */
		silencedBy: integer('silenced_by'),
		unitCode: text('unit_code'),
		createdAt: tstz('created_at').notNull().defaultNow(),
		updatedAt: tstz('updated_at').notNull().defaultNow(),
		closedAt: tstz('closed_at'),
		version: integer('version').notNull().default(1)
	},
	(t) => [
		index('alerts_status_idx').on(t.status, t.severity),
		// the detection round looks up the alerts an incident may continue by their last firing
		index('alerts_last_firing_idx').on(t.lastFiringAt)
	]
);

/** Append-only audit trail of each alert: firings, state changes, notes, notifications. */
export const alertEvents = pgTable(
	'alert_events',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		alertId: integer('alert_id')
			.notNull()
			.references(() => alerts.id),
		action: text('action').notNull(),
		fromStatus: text('from_status'),
		toStatus: text('to_status'),
		actorUserId: integer('actor_user_id').references(() => users.id),
		actorName: text('actor_name').notNull(),
		note: text('note').notNull().default(''),
		data: jsonb('data'),
		at: tstz('at').notNull()
	},
	(t) => [index('alert_events_alert_idx').on(t.alertId, t.at)]
);

export const alertTickets = pgTable(
	'alert_tickets',
	{
		alertId: integer('alert_id')
			.notNull()
			.references(() => alerts.id),
		ticketNo: text('ticket_no').notNull(),
		receivedAt: tstz('received_at').notNull(),
		streetCode: text('street_code')
	},
	// the second: a ticket's alerts (工单档案's 关联预警)
	(t) => [uniqueIndex('alert_tickets_pk').on(t.alertId, t.ticketNo), index('alert_tickets_ticket_idx').on(t.ticketNo)]
);

/** Time-boxed silences by label match (Alertmanager-style): matching alerts are recorded, not notified. */
export const silences = pgTable('silences', {
	id: serial('id').primaryKey(),
	/** { label: value }: all must match; labels: watchlist, category, district, street, kind, severity */
	matchers: jsonb('matchers').notNull(),
	startsAt: tstz('starts_at').notNull(),
	endsAt: tstz('ends_at').notNull(),
	comment: text('comment').notNull(),
	createdBy: integer('created_by').references(() => users.id),
	createdAt: tstz('created_at').notNull().defaultNow()
});

export const webhooks = pgTable('webhooks', {
	id: serial('id').primaryKey(),
	name: text('name').notNull(),
	url: text('url').notNull(),
	format: text('format').notNull(), // json | dingtalk | wecom
	secret: text('secret'),
	minSeverity: smallint('min_severity').notNull().default(4),
	enabled: boolean('enabled').notNull().default(true),
	createdAt: tstz('created_at').notNull().defaultNow(),
	/** a deleted receiver stays, disabled, so that its delivery log keeps its name */
	deletedAt: tstz('deleted_at'),
	/** optimistic concurrency: every save adds one (设置 › 预警 saves at the version shown) */
	version: integer('version').notNull().default(1)
});

export const webhookDeliveries = pgTable(
	'webhook_deliveries',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		webhookId: integer('webhook_id')
			.notNull()
			.references(() => webhooks.id, { onDelete: 'cascade' }),
		alertId: integer('alert_id')
			.notNull()
			.references(() => alerts.id),
		event: text('event').notNull(),
		attempt: smallint('attempt').notNull(),
		status: text('status').notNull(), // ok | retry | failed
		httpStatus: smallint('http_status'),
		error: text('error'),
		durationMs: integer('duration_ms').notNull(),
		at: tstz('at').notNull(),
		/** the message (webhook_messages) this attempt sent; null for attempts logged before messages were kept */
		messageId: bigint('message_id', { mode: 'number' })
	},
	(t) => [
		index('webhook_deliveries_alert_idx').on(t.alertId, t.at),
		// a robot's requests of the last minute and its latest rate-limit answer (the sender's pacing)
		index('webhook_deliveries_webhook_idx').on(t.webhookId, t.at)
	]
);

/**
 * Alert messages to send, one per receiver, each with its retry schedule: kept in the store so that a restart
 * resumes them (pending, next_at) instead of losing them with the process. A message is done once it was
 * delivered, failed for good or was not sent; its attempts are in webhook_deliveries.
 */
export const webhookMessages = pgTable(
	'webhook_messages',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		webhookId: integer('webhook_id')
			.notNull()
			.references(() => webhooks.id, { onDelete: 'cascade' }),
		alertId: integer('alert_id')
			.notNull()
			.references(() => alerts.id),
		event: text('event').notNull(),
		/** the message as made at the event (notify.ts AlertMessage): every attempt sends the same */
		message: jsonb('message').notNull(),
		/** pending | done */
		state: text('state').notNull().default('pending'),
		/** requests made so far, and how many of them timed out */
		attempts: smallint('attempts').notNull().default(0),
		timeouts: smallint('timeouts').notNull().default(0),
		/** when the next attempt is due (pending) */
		nextAt: tstz('next_at').notNull(),
		createdAt: tstz('created_at').notNull(),
		doneAt: tstz('done_at')
	},
	(t) => [index('webhook_messages_pending_idx').on(t.state, t.webhookId, t.nextAt)]
);

// --- briefings (舆情简报) -----------------------------------------------------------------------------------

/**
 * Analysts' briefings: a period and scope, the figures generated for it (a snapshot, so a saved briefing does not
 * change under its writer; 刷新数据 makes them again) and the sections in their order with their edited text.
 */
export const briefings = pgTable(
	'briefings',
	{
		id: serial('id').primaryKey(),
		/** weekly 周报 | monthly 月报 | special 专报 */
		kind: text('kind').notNull(),
		title: text('title').notNull(),
		periodFrom: date('period_from', { mode: 'string' }).notNull(),
		periodTo: date('period_to', { mode: 'string' }).notNull(),
		/** the dashboards' filter vocabulary: a district code, a level-1 or level-2 category code */
		district: text('district'),
		category: text('category'),
		/** [{ key, included, text, edited }] in the briefing's order */
		sections: jsonb('sections').notNull(),
		/** the figures of every section as generated at `figures_at` (briefings/figures.ts BriefingFigures) */
		figures: jsonb('figures').notNull(),
		figuresAt: tstz('figures_at').notNull(),
		createdBy: text('created_by').notNull(),
		createdAt: tstz('created_at').notNull().defaultNow(),
		updatedBy: text('updated_by').notNull(),
		updatedAt: tstz('updated_at').notNull().defaultNow(),
		/** optimistic concurrency: every save and refresh adds one */
		version: integer('version').notNull().default(1)
	},
	(t) => [index('briefings_updated_idx').on(t.updatedAt)]
);

/**
 * 操作日志: who changed what in the settings and who signed in or failed to (audit.ts). Append-only: rows are
 * written, never changed; the message is the line the server's log gets.
 */
export const auditLog = pgTable(
	'audit_log',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		at: tstz('at').notNull().defaultNow(),
		/** the user name of who acted (the name typed, for a failed sign-in) */
		actor: text('actor').notNull(),
		/** users | units | categories | dictionary | routing | limits | alerts | knowledge | tokens | login | audit (AUDIT_AREAS) */
		area: text('area').notNull(),
		/** what was changed: a user name, a unit or category code, a word, a watch list … ('' when the whole area) */
		target: text('target').notNull().default(''),
		message: text('message').notNull(),
		/** the client's address, for sign-ins */
		client: text('client')
	},
	(t) => [index('audit_log_at_idx').on(t.at), index('audit_log_area_idx').on(t.area, t.at)]
);

export type AlertRow = typeof alerts.$inferSelect;
export type WatchlistRow = typeof watchlists.$inferSelect;
export type SilenceRow = typeof silences.$inferSelect;
export type KbArticleRow = typeof kbArticles.$inferSelect;
export type BriefingRow = typeof briefings.$inferSelect;
export type LexiconRow = typeof lexicon.$inferSelect;
export type RoutingRuleRow = typeof routingRules.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
