// Open311 GeoReport v2 documents as the spec writes them (http://wiki.open311.org/GeoReport_v2): XML with the
// XML declaration and the spec's element names, or JSON by the spec's mapping of that XML (a list for
// <services>, <service_requests> and <errors>, an object for <service_definition> and <discovery>). Dates in the w3c profile
// of ISO 8601 with the Asia/Shanghai offset. Pure: no I/O, no app.
import { formatShanghai } from '$pipelines/normalize/index';
import { utcTime } from '$pipelines/calendar/index';

export const FORMATS = ['xml', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export const CONTENT_TYPES: Record<Format, string> = {
	xml: 'text/xml; charset=utf-8',
	json: 'application/json; charset=utf-8'
};

export type Scalar = string | number | boolean | null;
/** One element's children: scalars become text elements, lists become a wrapper of repeated elements. */
export interface Fields {
	[name: string]: Scalar | Fields[];
}

export interface Open311Service {
	service_code: string;
	service_name: string;
	description: string;
	metadata: boolean;
	type: 'realtime' | 'batch' | 'blackbox';
	keywords: string;
	group: string;
}

export interface ServiceDefinition {
	service_code: string;
	attributes: Fields[];
}

/** One API the discovery document points to (GeoReport v2, Service Discovery). */
export interface DiscoveryEndpoint {
	specification: string;
	url: string;
	changeset: string;
	type: 'production' | 'test';
	/** MIME types of the formats it answers in */
	formats: string[];
}

/** The service discovery document: who runs the API, where to get a key, and where each API is. */
export interface Discovery {
	changeset: string;
	contact: string;
	key_service: string;
	endpoints: DiscoveryEndpoint[];
}

export interface Open311ErrorItem {
	code: number;
	description: string;
}

/** The documents of the API, each with its XML root. */
export type Doc =
	| { kind: 'services'; services: Open311Service[] }
	| { kind: 'service_definition'; definition: ServiceDefinition }
	| { kind: 'discovery'; discovery: Discovery }
	| { kind: 'service_requests'; requests: Fields[] }
	| { kind: 'errors'; errors: Open311ErrorItem[] };

/** Element name of one item inside a list element (the spec's ⇊ / ↴ pairs). */
const ITEM_OF: Record<string, string> = {
	services: 'service',
	service_requests: 'request',
	errors: 'error',
	attributes: 'attribute',
	values: 'value',
	endpoints: 'endpoint',
	formats: 'format'
};

/** `services.json` → { name: 'services', format: 'json' }; null without a known format (the resource does not exist). */
export function parseResource(file: string): { name: string; format: Format } | null {
	const dot = file.lastIndexOf('.');
	if (dot <= 0) return null;
	const format = file.slice(dot + 1).toLowerCase();
	if (!(FORMATS as readonly string[]).includes(format)) return null;
	return { name: file.slice(0, dot), format: format as Format };
}

/** The format a file name asks for, XML (the spec's required format) when it names none we know. */
export function formatOf(file: string | undefined): Format {
	return file?.toLowerCase().endsWith('.json') ? 'json' : 'xml';
}

// --- XML --------------------------------------------------------------------------------------------------

/**
 * Text for an XML 1.0 element: the five markup characters as entities, CR as a character reference (a parser
 * would fold it into LF), and the characters XML 1.0 cannot carry at all (C0 controls other than tab, LF and
 * CR; U+FFFE, U+FFFF; lone surrogates) dropped.
 */
export function escapeXml(text: string): string {
	return text
		.replace(
			/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
			''
		)
		.replace(/[&<>"'\r]/g, (c) => XML_ENTITIES[c]);
}
const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

function scalarText(v: Scalar): string {
	if (v === null) return '';
	if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
	return escapeXml(String(v));
}

function xmlElement(name: string, value: Scalar | Scalar[] | Fields[] | Fields, indent: string): string {
	if (Array.isArray(value)) {
		const item = ITEM_OF[name] ?? 'item';
		if (value.length === 0) return `${indent}<${name}></${name}>`;
		return `${indent}<${name}>\n${(value as (Scalar | Fields)[]).map((v) => xmlElement(item, v, indent + '  ')).join('\n')}\n${indent}</${name}>`;
	}
	if (value !== null && typeof value === 'object') {
		const children = Object.entries(value).map(([k, v]) => xmlElement(k, v, indent + '  '));
		return `${indent}<${name}>\n${children.join('\n')}\n${indent}</${name}>`;
	}
	return `${indent}<${name}>${scalarText(value)}</${name}>`;
}

const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

// --- both formats ---------------------------------------------------------------------------------------

function jsonValue(doc: Doc): unknown {
	switch (doc.kind) {
		case 'services':
			return doc.services;
		case 'service_definition':
			return doc.definition;
		case 'discovery':
			return doc.discovery;
		case 'service_requests':
			return doc.requests;
		case 'errors':
			return doc.errors;
	}
}

function xmlRoot(doc: Doc): string {
	switch (doc.kind) {
		case 'services':
			return xmlElement('services', doc.services as unknown as Fields[], '');
		case 'service_definition':
			return xmlElement('service_definition', doc.definition as unknown as Fields, '');
		case 'discovery':
			return xmlElement('discovery', doc.discovery as unknown as Fields, '');
		case 'service_requests':
			return xmlElement('service_requests', doc.requests, '');
		case 'errors':
			return xmlElement('errors', doc.errors as unknown as Fields[], '');
	}
}

/** The document as the body of a response in `format`. JSON numbers that are not finite become null. */
export function render(doc: Doc, format: Format): string {
	if (format === 'json') return JSON.stringify(jsonValue(doc), (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
	return `${XML_DECLARATION}\n${xmlRoot(doc)}\n`;
}

// --- dates ----------------------------------------------------------------------------------------------

/** An instant as the spec's w3c date-time in Asia/Shanghai (`2026-11-28T10:05:30+08:00`); null stays null. */
export function w3cDate(t: Date | number | null | undefined): string | null {
	if (t === null || t === undefined) return null;
	return formatShanghai(typeof t === 'number' ? t : t.getTime());
}

const HOUR = 3_600_000;
// YYYY, YYYY-MM, YYYY-MM-DD, or a date with hh:mm, hh:mm:ss or hh:mm:ss.s and a time zone (w3c note's profiles)
const W3C = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * A w3c date-time (http://www.w3.org/TR/NOTE-datetime) → the first and the last millisecond it denotes: a year,
 * a month or a day (Asia/Shanghai days) is the whole period, and so is a time to the minute (hh:mm: its whole
 * minute) or to the second (hh:mm:ss: its whole second — the dates this API prints have whole seconds, so an
 * end_date copied from a requested_datetime takes in the request received at 10:00:00.700); a time with
 * fractional seconds is one instant (to the millisecond). A time without a zone designator is read as
 * Asia/Shanghai. Null when the text is not in that format or names a day or time that does not exist.
 */
export function parseW3cDate(text: string): { first: number; last: number } | null {
	// a '+' left unencoded in a query string arrives as a space: `…T08:00:00 08:00` is `…T08:00:00+08:00`
	const m = W3C.exec(text.trim().replace(/(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:\d{2})$/, '$1+$2'));
	if (!m) return null;
	const [, ys, mos, ds, hs, mis, ss, frac, zone] = m;
	const y = Number(ys);
	const mo = mos ? Number(mos) : 1;
	const d = ds ? Number(ds) : 1;
	if (mo < 1 || mo > 12 || d < 1 || d > new Date(utcTime(y, mo, 0)).getUTCDate()) return null;
	const shanghai = (yy: number, mm: number, dd: number) => utcTime(yy, mm - 1, dd) - 8 * HOUR;
	if (hs === undefined) {
		if (!mos) return { first: shanghai(y, 1, 1), last: shanghai(y + 1, 1, 1) - 1 };
		if (!ds) return { first: shanghai(y, mo, 1), last: shanghai(y, mo + 1, 1) - 1 };
		return { first: shanghai(y, mo, d), last: shanghai(y, mo, d + 1) - 1 };
	}
	const h = Number(hs);
	const mi = Number(mis);
	const s = ss ? Number(ss) : 0;
	if (h > 23 || mi > 59 || s > 59) return null;
	let offsetMin = 8 * 60;
	if (zone === 'Z') offsetMin = 0;
	else if (zone) {
		const oh = Number(zone.slice(1, 3));
		const om = Number(zone.slice(4, 6));
		if (oh > 14 || om > 59) return null;
		offsetMin = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
	}
	const ms = frac ? Number(frac.slice(1, 4).padEnd(3, '0')) : 0;
	const t = utcTime(y, mo - 1, d, h, mi, s, ms) - offsetMin * 60_000;
	const span = frac ? 0 : ss ? 999 : 59_999;
	return { first: t, last: t + span };
}
