// Open311 GeoReport v2 conformance over a real embedded store: every endpoint through its SvelteKit route
// handler in JSON and XML (status codes, content types, bodies), each error case of the spec (403 api_key,
// 400 parameters, 404 unknown resources), the filters and defaults of GET requests, the open/closed mapping
// after lifecycle actions, and that the public reads carry no personal data.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopApp, type App } from '../../src/lib/server/app';
import { startRouteApp } from '../support/app';
import { createApiToken, revokeApiToken, verifyApiKey, verifyApiToken } from '../../src/lib/server/auth/tokens';
import { open311Requests, ticketEvents, tickets } from '../../src/lib/server/db/schema';
import { actOnTicket, registerTicket, type CaseUser } from '../../src/lib/server/cases/service';
import { NOT_ACCEPTED_REASONS } from '../../pipelines/lifecycle/model';
import { attributeLabelsOf, listRequests, listServices, MAX_REQUESTS, OPEN311_CHANGESET } from '../../src/lib/server/open311/service';
import { ticketDetail } from '../../src/lib/server/cases/read';
import * as ticketApi from '../../src/routes/api/v1/tickets/[no]/+server';
import * as rootRoute from '../../src/routes/open311/v2/[file]/+server';
import * as serviceRoute from '../../src/routes/open311/v2/services/[file]/+server';
import * as requestRoute from '../../src/routes/open311/v2/requests/[file]/+server';
import * as tokenRoute from '../../src/routes/open311/v2/tokens/[file]/+server';
import * as restRoute from '../../src/routes/open311/[...rest]/+server';
import * as discoveryRoute from '../../src/routes/open311/[file]/+server';
import { handle } from '../../src/hooks.server';
import { paramsFrom } from '../../src/lib/server/open311/http';
import { formatDeadline } from '../../src/lib/charts/format';
import { renderTicketPage } from '../support/cases';

let a: App;
let KEY = '';
let INGEST_KEY = '';
let REVOKED_KEY = '';
const DAY = 86_400_000;
const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'text/xml; charset=utf-8';
const XML_DECL = '<?xml version="1.0" encoding="utf-8"?>';

const operator: CaseUser = { id: null, role: 'operator', unitCode: null, displayName: '测试话务员' };
const dispatcher: CaseUser = { id: null, role: 'dispatcher', unitCode: null, displayName: '测试派单员' };
const supervisor: CaseUser = { id: null, role: 'supervisor', unitCode: null, displayName: '测试督办员' };
const UNIT = 'D320508';
const unitUser: CaseUser = { id: null, role: 'unit_handler', unitCode: UNIT, displayName: '测试承办人' };

beforeAll(async () => {
	a = await startRouteApp();
	KEY = (await createApiToken(a.rel.db, { name: '城市服务App', sourceName: 'cityapp', scopes: ['open311'] })).token;
	INGEST_KEY = (await createApiToken(a.rel.db, { name: '数据接入', sourceName: 'feed1', scopes: ['ingest'] })).token;
	const revoked = await createApiToken(a.rel.db, { name: '旧App', sourceName: 'oldapp', scopes: ['open311'] });
	await revokeApiToken(a.rel.db, revoked.id);
	REVOKED_KEY = revoked.token;
}, 120_000);

afterAll(async () => {
	if (a) await stopApp(a);
});

// --- calling the route handlers as SvelteKit does ---------------------------------------------------------

type Handler = (event: never) => Response | Promise<Response>;
interface Answer {
	status: number;
	type: string | null;
	text: string;
	body: unknown;
	headers: Headers;
}

async function call(
	handler: Handler,
	path: string,
	param: { file: string } | { rest: string },
	init: { method?: string; query?: Record<string, string> | string; body?: BodyInit; headers?: Record<string, string> } = {}
): Promise<Answer> {
	const url = new URL(`http://localhost/open311/${path}`);
	if (init.query) url.search = typeof init.query === 'string' ? init.query : new URLSearchParams(init.query).toString();
	const request = new Request(url, { method: init.method ?? 'GET', body: init.body, headers: init.headers });
	const res = await handler({ request, url, params: param, locals: { user: null } } as never);
	const text = await res.text();
	const type = res.headers.get('content-type');
	return { status: res.status, type, text, body: type?.startsWith('application/json') ? JSON.parse(text) : null, headers: res.headers };
}

const getRoot = (file: string, query?: Record<string, string> | string) =>
	call(rootRoute.GET as Handler, `v2/${file}`, { file }, { query });
const getService = (file: string, query?: Record<string, string>) =>
	call(serviceRoute.GET as Handler, `v2/services/${file}`, { file }, { query });
const getRequest = (file: string) => call(requestRoute.GET as Handler, `v2/requests/${file}`, { file });
const getToken = (file: string) => call(tokenRoute.GET as Handler, `v2/tokens/${file}`, { file });

function post(file: string, form: Record<string, string> | URLSearchParams, headers: Record<string, string> = {}) {
	const body = form instanceof URLSearchParams ? form : new URLSearchParams(form);
	return call(
		rootRoute.POST as Handler,
		`v2/${file}`,
		{ file },
		{
			method: 'POST',
			body: body.toString(),
			headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers }
		}
	);
}

const GOOD = {
	service_code: '0101',
	address_string: '吴中区木渎镇中山东路1号',
	description: '路口有人占道经营，早高峰堵塞人行道。',
	first_name: '三',
	last_name: '张',
	phone: '13812345678',
	email: 'zhangsan@example.com',
	device_id: 'dev-001',
	account_id: 'acct-42',
	media_url: 'https://img.example.com/a.jpg'
};

async function created(form: Record<string, string>): Promise<string> {
	const r = await post('requests.json', { api_key: KEY, ...form });
	expect(r.status, r.text).toBe(201);
	return (r.body as { service_request_id: string }[])[0].service_request_id;
}

type Req = Record<string, unknown>;
async function one(id: string): Promise<Req> {
	const r = await getRequest(`${id}.json`);
	expect(r.status, r.text).toBe(200);
	const list = r.body as Req[];
	expect(list).toHaveLength(1);
	return list[0];
}

/** The description of each error in an errors document (JSON). */
const descriptions = (r: Answer) => (r.body as { code: number; description: string }[]).map((e) => e.description);

function expectJsonError(r: Answer, status: number, ...words: string[]) {
	expect(r.status, r.text).toBe(status);
	expect(r.type).toBe(JSON_TYPE);
	const errors = r.body as { code: number; description: string }[];
	expect(Array.isArray(errors)).toBe(true);
	expect(errors.length).toBeGreaterThan(0);
	for (const e of errors) {
		expect(Object.keys(e).sort()).toEqual(['code', 'description']);
		expect(e.code).toBe(status);
	}
	const all = descriptions(r).join('\n');
	for (const w of words) expect(all).toContain(w);
}

function expectXmlError(r: Answer, status: number, ...words: string[]) {
	expect(r.status, r.text).toBe(status);
	expect(r.type).toBe(XML_TYPE);
	expect(r.text.startsWith(`${XML_DECL}\n<errors>\n  <error>\n    <code>${status}</code>\n    <description>`)).toBe(true);
	for (const w of words) expect(r.text).toContain(w);
}

// --- services ----------------------------------------------------------------------------------------------

describe('GET services', () => {
	it('lists the level-2 categories as realtime services without metadata, in JSON', async () => {
		const r = await getRoot('services.json');
		expect(r.status).toBe(200);
		expect(r.type).toBe(JSON_TYPE);
		const list = r.body as Record<string, unknown>[];
		const level2 = a.ref.categories.filter((c) => c.level === 2);
		expect(list.map((s) => s.service_code)).toEqual(level2.map((c) => c.code));
		const s = list.find((x) => x.service_code === '0101')!;
		expect(Object.keys(s)).toEqual(['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group']);
		expect(s).toMatchObject({ service_name: '市容环境', group: '城市管理', metadata: false, type: 'realtime' });
		expect(String(s.keywords).split(',')).toContain('占道经营');
		expect(s.description).toContain('占道经营');
	});

	it('gives the same list in XML with the spec elements', async () => {
		const r = await getRoot('services.xml');
		expect(r.status).toBe(200);
		expect(r.type).toBe(XML_TYPE);
		expect(r.text.startsWith(`${XML_DECL}\n<services>\n  <service>\n    <service_code>`)).toBe(true);
		expect(r.text.match(/<service>/g)!.length).toBe(a.ref.categories.filter((c) => c.level === 2).length);
		expect(r.text).toContain('<service_code>0101</service_code>\n    <service_name>市容环境</service_name>');
		expect(r.text).toContain('<metadata>false</metadata>\n    <type>realtime</type>');
		expect(r.text).toContain('<group>城市管理</group>');
	});

	it('accepts its own jurisdiction_id (or an empty one) and answers 404 for another', async () => {
		expect((await getRoot('services.json', { jurisdiction_id: 'suzhou' })).status).toBe(200);
		expect((await getRoot('services.json', { jurisdiction_id: '' })).status).toBe(200);
		expectJsonError(await getRoot('services.json', { jurisdiction_id: 'sfgov.org' }), 404, 'jurisdiction_id', 'sfgov.org', 'suzhou');
		expectXmlError(await getRoot('services.xml', { jurisdiction_id: 'sfgov.org' }), 404, 'jurisdiction_id');
		expect(() => listServices(a, { values: { jurisdiction_id: 'x' }, attributes: {} })).toThrow(/jurisdiction_id/);
	});

	it('answers 404 for an unknown format or resource, and 405 for a POST to the service list', async () => {
		expectXmlError(await getRoot('services.csv'), 404, 'services.csv', '.xml 或 .json');
		expectXmlError(await getRoot('services'), 404);
		// discovery sits beside the versions (/open311/discovery.json), not inside v2
		expectJsonError(await getRoot('discovery.json'), 404, 'discovery.json');
		const p = await call(rootRoute.POST as Handler, 'v2/services.json', { file: 'services.json' }, { method: 'POST', body: '' });
		expectJsonError(p, 405, 'POST');
		expect(p.headers.get('allow')).toBe('GET');
		const put = await call(rootRoute.fallback as Handler, 'v2/requests.json', { file: 'requests.json' }, { method: 'PUT' });
		expectJsonError(put, 405, 'PUT');
		expectJsonError(await call(restRoute.fallback as Handler, 'v2/a/b/c.json', { rest: 'v2/a/b/c.json' }), 404, 'v2/a/b/c.json');
		expectXmlError(await call(restRoute.fallback as Handler, 'v3/services.xml', { rest: 'v3/services.xml' }), 404);
	});
});

describe('service discovery', () => {
	const getDiscovery = (file: string, origin = 'http://localhost') => {
		const url = new URL(`${origin}/open311/${file}`);
		return discoveryRoute.GET({ request: new Request(url), url, params: { file }, locals: { user: null } } as never);
	};

	it('serves the discovery document in JSON with the v2 endpoint at the origin the request came to', async () => {
		const r = await getDiscovery('discovery.json', 'https://12345.suzhou.gov.cn');
		expect(r.status).toBe(200);
		expect(r.headers.get('content-type')).toBe(JSON_TYPE);
		const d = await r.json();
		expect(Object.keys(d)).toEqual(['changeset', 'contact', 'key_service', 'endpoints']);
		expect(d.changeset).toBe(OPEN311_CHANGESET);
		expect(d.contact).toContain('12345');
		expect(d.contact).toContain('苏州');
		expect(d.key_service).toContain('api_key');
		expect(d.endpoints).toEqual([
			{
				specification: 'http://wiki.open311.org/GeoReport_v2',
				url: 'https://12345.suzhou.gov.cn/open311/v2',
				changeset: OPEN311_CHANGESET,
				type: 'production',
				formats: ['text/xml', 'application/json']
			}
		]);
		// the changeset is a w3c date-time, as the spec writes it
		expect(Number.isNaN(Date.parse(d.changeset))).toBe(false);
	});

	it('serves it in XML with the spec elements, and the spec errors for other names and methods', async () => {
		const r = await getDiscovery('discovery.xml');
		expect(r.status).toBe(200);
		expect(r.headers.get('content-type')).toBe(XML_TYPE);
		const text = await r.text();
		expect(text.startsWith(`${XML_DECL}\n<discovery>\n  <changeset>${OPEN311_CHANGESET}</changeset>\n  <contact>`)).toBe(true);
		expect(text).toContain(
			'<endpoints>\n    <endpoint>\n      <specification>http://wiki.open311.org/GeoReport_v2</specification>\n      <url>http://localhost/open311/v2</url>'
		);
		expect(text).toContain('<type>production</type>\n      <formats>\n        <format>text/xml</format>\n        <format>application/json</format>\n      </formats>');
		expectJsonError(await call(discoveryRoute.GET as Handler, 'services.json', { file: 'services.json' }), 404, 'services.json');
		expectXmlError(await call(discoveryRoute.GET as Handler, 'discovery.csv', { file: 'discovery.csv' }), 404, '.xml 或 .json');
		const p = await call(discoveryRoute.fallback as Handler, 'discovery.json', { file: 'discovery.json' }, { method: 'POST', body: '' });
		expectJsonError(p, 405, 'POST');
		expect(p.headers.get('allow')).toBe('GET');
	});
});

describe('GET services/{code}', () => {
	it('defines a service with no attributes (metadata is false), in JSON and XML', async () => {
		const j = await getService('0101.json');
		expect(j.status).toBe(200);
		expect(j.type).toBe(JSON_TYPE);
		expect(j.body).toEqual({ service_code: '0101', attributes: [] });
		const x = await getService('0101.xml');
		expect(x.type).toBe(XML_TYPE);
		expect(x.text).toBe(
			`${XML_DECL}\n<service_definition>\n  <service_code>0101</service_code>\n  <attributes></attributes>\n</service_definition>\n`
		);
	});

	it('answers 404 for an unknown service code, a level-1 or level-3 code, and another jurisdiction', async () => {
		expectJsonError(await getService('9999.json'), 404, 'service_code', '9999');
		expectXmlError(await getService('9999.xml'), 404, 'service_code');
		expectJsonError(await getService('01.json'), 404, '01');
		expectJsonError(await getService('010101.json'), 404, '010101');
		expectJsonError(await getService('0101.json', { jurisdiction_id: 'x.gov' }), 404, 'jurisdiction_id');
		expectXmlError(await getService('0101.txt'), 404);
	});
});

// --- POST requests -----------------------------------------------------------------------------------------

describe('POST requests', () => {
	it('refuses a missing, unknown, revoked or ingest-only api_key with 403', async () => {
		const { service_code, address_string } = GOOD;
		expectJsonError(await post('requests.json', { service_code, address_string }), 403, 'api_key');
		expectXmlError(await post('requests.xml', { service_code, address_string }), 403, 'api_key');
		expectJsonError(await post('requests.json', { api_key: 'mq_not-a-token', service_code, address_string }), 403, 'api_key 无效');
		expectJsonError(await post('requests.json', { api_key: REVOKED_KEY, service_code, address_string }), 403, 'api_key');
		expectJsonError(await post('requests.json', { api_key: INGEST_KEY, service_code, address_string }), 403, 'Open311 权限');
		// the api_key is checked before the parameters: nothing is said about them to an unknown client
		expectJsonError(await post('requests.json', { api_key: 'mq_x' }), 403);
	});

	it('checks a raw key and a Bearer header against the same tokens', async () => {
		expect(await verifyApiKey(a.rel.db, KEY, 'open311')).toMatchObject({ name: '城市服务App', sourceName: 'cityapp', scopes: ['open311'] });
		expect(await verifyApiKey(a.rel.db, KEY, 'ingest')).toBeNull();
		expect(await verifyApiKey(a.rel.db, '', 'open311')).toBeNull();
		expect(await verifyApiKey(a.rel.db, REVOKED_KEY, 'open311')).toBeNull();
		expect(await verifyApiToken(a.rel.db, `Bearer ${INGEST_KEY}`, 'ingest')).toMatchObject({ sourceName: 'feed1' });
		expect(await verifyApiToken(a.rel.db, INGEST_KEY, 'ingest')).toBeNull();
		expect(await verifyApiToken(a.rel.db, null, 'ingest')).toBeNull();
	});

	it('refuses a missing service_code or location with 400, naming each parameter, in JSON and XML', async () => {
		const noCode = await post('requests.json', { api_key: KEY, address_string: GOOD.address_string });
		expectJsonError(noCode, 400, 'service_code');
		expect(descriptions(noCode)).toHaveLength(1);
		const noPlace = await post('requests.json', { api_key: KEY, service_code: '0101', description: 'x' });
		expectJsonError(noPlace, 400, 'lat', 'long', 'address_string', 'address_id');
		expect(descriptions(noPlace)).toHaveLength(1);
		const both = await post('requests.json', { api_key: KEY });
		expectJsonError(both, 400, 'service_code', '缺少位置');
		expect(descriptions(both)).toHaveLength(2);
		expectXmlError(await post('requests.xml', { api_key: KEY, service_code: '0101' }), 400, '缺少位置');
	});

	it('refuses bad parameter values with 400, each one named', async () => {
		const base = { api_key: KEY, service_code: '0101' };
		expectJsonError(await post('requests.json', { ...base, lat: '31.3' }), 400, 'lat 和 long 须同时提供', 'long（经度）');
		expectJsonError(await post('requests.json', { ...base, lat: 'north', long: '120.6' }), 400, 'lat（纬度）', 'north');
		expectJsonError(await post('requests.json', { ...base, lat: '31.3', long: '190' }), 400, 'long（经度）', '190');
		expectJsonError(await post('requests.json', { ...base, address_id: '999999' }), 400, 'address_id', '999999');
		expectJsonError(
			await post('requests.json', { ...base, address_string: 'x', description: '长'.repeat(4001) }),
			400,
			'description',
			'4000',
			'4001'
		);
		expectJsonError(await post('requests.json', { ...base, address_string: 'x', email: 'not-mail' }), 400, 'email');
		expectJsonError(await post('requests.json', { ...base, address_string: 'x', phone: 'call me' }), 400, 'phone');
		// the 受理 form's rule: a number repeat detection can key the caller by, full-width digits read as digits
		expectJsonError(await post('requests.json', { ...base, address_string: 'x', phone: '1391234567' }), 400, 'phone（联系电话）“1391234567”', '11 位手机号');
		expectJsonError(await post('requests.json', { ...base, address_string: 'x', phone: '12345' }), 400, 'phone');
		const wide = await created({ ...GOOD, phone: '１３８１２３４５６７８' });
		expect((await a.rel.db.select().from(tickets).where(eq(tickets.ticketNo, wide)))[0].callerPhoneKey).toBe('13812345678');
		expectJsonError(await post('requests.json', { ...base, address_string: 'x', media_url: 'javascript:alert(1)' }), 400, 'media_url');
		const many = await post('requests.json', { ...base, lat: '91', long: 'x', email: '@' });
		expect(descriptions(many)).toHaveLength(3);
	});

	it('refuses a point far from the city (0,0; Beijing) with 400, and takes one near its border', async () => {
		const base = { api_key: KEY, service_code: '0101', description: '路灯不亮' };
		expectJsonError(await post('requests.json', { ...base, lat: '0', long: '0' }), 400, 'lat/long（0, 0）', '不在苏州市及其附近');
		expectXmlError(await post('requests.xml', { ...base, lat: '39.9042', long: '116.4074' }), 400, '不在苏州市及其附近');
		// in the city, and on the Yangtze just past the district outlines (in no district): still about the city
		await created({ ...base, lat: '31.20', long: '120.15' });
		await created({ ...base, lat: '31.98', long: '120.9' });
	});

	it('answers 404 for an unknown service_code (the spec), and lists it with other errors as a 400', async () => {
		expectJsonError(await post('requests.json', { api_key: KEY, service_code: '9999', address_string: 'x' }), 404, 'service_code', '9999');
		expectXmlError(await post('requests.xml', { api_key: KEY, service_code: '01', address_string: 'x' }), 404, 'service_code');
		const r = await post('requests.json', { api_key: KEY, service_code: '9999' });
		expectJsonError(r, 400, '缺少位置', '9999');
	});

	it('refuses a body that is not a form, and another jurisdiction', async () => {
		const r = await call(
			rootRoute.POST as Handler,
			'v2/requests.json',
			{ file: 'requests.json' },
			{
				method: 'POST',
				body: JSON.stringify({ api_key: KEY, service_code: '0101' }),
				headers: { 'content-type': 'application/json' }
			}
		);
		expectJsonError(r, 400, 'application/x-www-form-urlencoded', 'application/json');
		expectJsonError(await post('requests.json', { ...GOOD, api_key: KEY, jurisdiction_id: 'nyc.gov' }), 404, 'jurisdiction_id');
	});

	it('registers a ticket on channel open311 that waits for an operator, and keeps what the client sent', async () => {
		const r = await post('requests.json', {
			api_key: KEY,
			jurisdiction_id: 'suzhou',
			...GOOD,
			'attribute[WHISPAWN]': '123456',
			'attribute[COLOR][]': 'red'
		} as Record<string, string>);
		expect(r.status, r.text).toBe(201);
		expect(r.type).toBe(JSON_TYPE);
		const [res] = r.body as Record<string, unknown>[];
		expect(Object.keys(res)).toEqual(['service_request_id', 'service_notice', 'account_id']);
		expect(res.service_request_id).toMatch(/^SZ\d{8}-H\d{5}$/);
		expect(res.account_id).toBe('acct-42');
		expect(res.service_notice).toContain(String(res.service_request_id));

		const [t] = await a.rel.db
			.select()
			.from(tickets)
			.where(eq(tickets.ticketNo, String(res.service_request_id)));
		expect(t).toMatchObject({
			channel: 'open311',
			status: 'received',
			source: 'open311:cityapp',
			type: '求助',
			categoryCode: '0101',
			title: '市容环境',
			content: GOOD.description,
			address: GOOD.address_string,
			districtCode: '320506',
			streetCode: '320506103',
			callerName: '张三',
			callerPhone: '13812345678',
			lon: null,
			lat: null,
			unitCode: null
		});
		const events = await a.rel.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, t.id));
		expect(events.map((e) => [e.action, e.toStatus, e.actorName, e.actorUserId])).toEqual([
			['receive', 'received', 'Open311（城市服务App）', null]
		]);
		const [extra] = await a.rel.db.select().from(open311Requests).where(eq(open311Requests.ticketId, t.id));
		expect(extra).toMatchObject({
			serviceCode: '0101',
			email: 'zhangsan@example.com',
			deviceId: 'dev-001',
			accountId: 'acct-42',
			mediaUrl: 'https://img.example.com/a.jpg',
			attributes: { WHISPAWN: ['123456'], COLOR: ['red'] }
		});
	});

	it('answers in XML, takes multipart forms, and places a request by its point or by a district/street code', async () => {
		const x = await post('requests.xml', { api_key: KEY, service_code: '0202', lat: '31.30', long: '120.62', description: '河水发黑发臭' });
		expect(x.status, x.text).toBe(201);
		expect(x.type).toBe(XML_TYPE);
		const id = /<service_request_id>(SZ[\d-H]+)<\/service_request_id>/.exec(x.text)![1];
		expect(x.text).toMatch(
			new RegExp(
				`^${XML_DECL.replace(/[?.]/g, '\\$&')}\\n<service_requests>\\n  <request>\\n    <service_request_id>${id}</service_request_id>\\n    <service_notice>[^<]+</service_notice>\\n    <account_id></account_id>\\n  </request>\\n</service_requests>\\n$`
			)
		);
		const [byPoint] = await a.rel.db.select().from(tickets).where(eq(tickets.ticketNo, id));
		expect(byPoint).toMatchObject({ lat: 31.3, lon: 120.62, districtCode: '320508', streetCode: null, address: '' });
		// a point in 苏州工业园区, which has no polygon of its own (its land lies inside 姑苏区's): not 姑苏区
		const park = await post('requests.json', { api_key: KEY, service_code: '0101', lat: '31.276', long: '120.727', address_string: '星湖街328号', description: '路灯不亮' });
		expect(park.status, park.text).toBe(201);
		const [inPark] = await a.rel.db.select().from(tickets).where(eq(tickets.ticketNo, JSON.parse(park.text)[0].service_request_id));
		expect(inPark.districtCode).toBe('320576');

		const form = new FormData();
		for (const [k, v] of Object.entries({ api_key: KEY, service_code: '0101', address_id: '320506103', description: '多部分表单' }))
			form.append(k, v);
		const m = await call(rootRoute.POST as Handler, 'v2/requests.json', { file: 'requests.json' }, { method: 'POST', body: form });
		expect(m.status, m.text).toBe(201);
		const [byCode] = await a.rel.db
			.select()
			.from(tickets)
			.where(eq(tickets.ticketNo, (m.body as { service_request_id: string }[])[0].service_request_id));
		expect(byCode).toMatchObject({ districtCode: '320506', streetCode: '320506103', content: '多部分表单' });

		const file = new FormData();
		file.append('api_key', KEY);
		file.append('media', new Blob(['x']), 'a.jpg');
		expectJsonError(
			await call(rootRoute.POST as Handler, 'v2/requests.json', { file: 'requests.json' }, { method: 'POST', body: file }),
			400,
			'media',
			'media_url'
		);
	});

	it('gives a request without a description the service as its text, and a consultation service the type 咨询', async () => {
		const id = await created({ service_code: '1702', address_string: '姑苏区' });
		const [t] = await a.rel.db.select().from(tickets).where(eq(tickets.ticketNo, id));
		expect(t.content).toBe('政务服务与作风 › 政策咨询（提交时未填写描述）');
		expect(t.type).toBe('咨询');
		expect(t.districtCode).toBe('320508');
	});

	it('registers a request sent twice with one Idempotency-Key once', async () => {
		const form = { api_key: KEY, service_code: '0101', address_string: '姑苏区', description: '重复提交测试' };
		const first = await post('requests.json', form, { 'idempotency-key': 'k-1' });
		const again = await post('requests.json', form, { 'idempotency-key': 'k-1' });
		expect(first.status).toBe(201);
		expect(again.status).toBe(200);
		expect(again.body).toEqual(first.body);
		const rows = await a.rel.db.select().from(tickets).where(eq(tickets.content, '重复提交测试'));
		expect(rows).toHaveLength(1);
		const other = await post('requests.json', form, { 'idempotency-key': 'k-2' });
		expect(other.status).toBe(201);
		expect((other.body as Req[])[0].service_request_id).not.toBe((first.body as Req[])[0].service_request_id);
	});

	it('refuses an Idempotency-Key used before for another report (another description or service) with 400, registering nothing', async () => {
		const form = { api_key: KEY, service_code: '0101', address_string: '姑苏区', description: '第一份诉求：路灯不亮' };
		const first = await post('requests.json', form, { 'idempotency-key': 'k-reused' });
		expect(first.status).toBe(201);
		const no = String((first.body as Req[])[0].service_request_id);
		const otherText = await post('requests.json', { ...form, description: '第二份诉求：井盖缺失' }, { 'idempotency-key': 'k-reused' });
		expectJsonError(otherText, 400, 'Idempotency-Key', no, '新的 Idempotency-Key');
		expectXmlError(await post('requests.xml', { ...form, service_code: '0102' }, { 'idempotency-key': 'k-reused' }), 400, 'Idempotency-Key');
		expect(await a.rel.db.select().from(tickets).where(eq(tickets.content, '第二份诉求：井盖缺失'))).toHaveLength(0);
		// the same report again, blanks around its text aside, is the retry it was — also once a dispatcher has given
		// the ticket a finer category than the service it came with
		await a.rel.db.update(tickets).set({ categoryCode: '010101' }).where(eq(tickets.ticketNo, no));
		const retry = await post('requests.json', { ...form, description: ' 第一份诉求：路灯不亮 ' }, { 'idempotency-key': 'k-reused' });
		expect([retry.status, (retry.body as Req[])[0].service_request_id]).toEqual([200, no]);
	});
});

// --- reading requests --------------------------------------------------------------------------------------

describe('GET requests/{id} and tokens/{token}', () => {
	it('shows one request with every field of the spec and no personal data', async () => {
		const id = await created({
			...GOOD,
			description: '张三反映：占道经营，我叫李四，电话13900001111，身份证320501199001011234。另一个号码１３７１２３４５６７８，座机65221234，邮箱lisi@example.com。'
		});
		const r = await getRequest(`${id}.json`);
		expect(r.status).toBe(200);
		expect(r.type).toBe(JSON_TYPE);
		const [q] = r.body as Req[];
		expect(Object.keys(q)).toEqual([
			'service_request_id',
			'status',
			'status_notes',
			'service_name',
			'service_code',
			'description',
			'agency_responsible',
			'service_notice',
			'requested_datetime',
			'updated_datetime',
			'expected_datetime',
			'address',
			'address_id',
			'zipcode',
			'lat',
			'long',
			'media_url'
		]);
		expect(q).toMatchObject({
			service_request_id: id,
			status: 'open',
			status_notes: '待受理',
			service_name: '市容环境',
			service_code: '0101',
			agency_responsible: null,
			expected_datetime: null,
			address: GOOD.address_string,
			address_id: '320506103',
			zipcode: null,
			lat: null,
			long: null,
			media_url: 'https://img.example.com/a.jpg'
		});
		expect(q.requested_datetime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
		expect(q.updated_datetime).toBe(q.requested_datetime);
		// personal data: never the caller's name, phone, e-mail, device or account; masked inside the text
		const text = r.text;
		for (const secret of ['张三', '13812345678', 'zhangsan@example.com', 'dev-001', 'acct-42', '13900001111', '320501199001011234', '李四', '１３７１２３４５６７８', '65221234', 'lisi@'])
			expect(text).not.toContain(secret);
		expect(q.description).toContain('张*反映：占道经营，我叫李*'); // the reporter's own name too
		expect(q.description).toContain('139****1111');

		const x = await getRequest(`${id}.xml`);
		expect(x.type).toBe(XML_TYPE);
		expect(
			x.text.startsWith(
				`${XML_DECL}\n<service_requests>\n  <request>\n    <service_request_id>${id}</service_request_id>\n    <status>open</status>`
			)
		).toBe(true);
		expect(x.text).toContain('<agency_responsible></agency_responsible>');
		expect(x.text).toContain('<media_url>https://img.example.com/a.jpg</media_url>');
		expect(x.text.match(/<request>/g)).toHaveLength(1);
		expect(x.text).not.toContain('13812345678');
	});

	it('escapes what a reporter typed in XML and keeps it exact (but masked) in JSON', async () => {
		const description = '<b>井盖</b> & "破损" \'危险\'\u0001';
		const id = await created({ service_code: '0405', address_string: '姑苏区 <人民路>', description });
		const x = await getRequest(`${id}.xml`);
		expect(x.text).toContain('<description>&lt;b&gt;井盖&lt;/b&gt; &amp; &quot;破损&quot; &apos;危险&apos;</description>');
		expect(x.text).toContain('<address>姑苏区 &lt;人民路&gt;</address>');
		expect(x.text).not.toContain('<b>');
		expect((await one(id)).description).toBe(description);
	});

	it('answers 404 for an unknown request id in JSON and XML', async () => {
		expectJsonError(await getRequest('SZ20000101-H99999.json'), 404, 'service_request_id', 'SZ20000101-H99999');
		expectXmlError(await getRequest('SZ20000101-H99999.xml'), 404, 'SZ20000101-H99999');
		expectXmlError(await getRequest('SZ20000101-H99999.html'), 404);
		// a NUL reaches no store: 404 for such an id, 400 naming such a parameter (the general error before)
		expect((await getRequest('SZ\u0000.json')).status).toBe(404);
		const nul = await getRoot('requests.json', { service_request_id: 'SZ\u0000' });
		expect(nul.status).toBe(400);
		expect(descriptions(nul)).toEqual(['参数 service_request_id 含有空字符（U+0000），无法处理']);
		// half a character is refused the same way (an HTTP form's decoding makes it U+FFFD before: the rule is the tickets' one)
		expect(() => paramsFrom([['description', '井盖\ud800']])).toThrow('参数 description 含有无效字符（不成对的代理码元 U+D800），无法处理');
	});

	it('turns the token of an Open311 request (its number) into its service_request_id; 404 for others', async () => {
		const id = await created({ service_code: '0101', address_string: '姑苏区', description: '令牌测试' });
		const j = await getToken(`${id}.json`);
		expect(j.status).toBe(200);
		expect(j.type).toBe(JSON_TYPE);
		expect(j.body).toEqual([{ service_request_id: id, token: id }]);
		const x = await getToken(`${id}.xml`);
		expect(x.text).toBe(
			`${XML_DECL}\n<service_requests>\n  <request>\n    <service_request_id>${id}</service_request_id>\n    <token>${id}</token>\n  </request>\n</service_requests>\n`
		);
		expectJsonError(await getToken('123456.json'), 404, 'token', '123456');
		expectXmlError(await getToken('123456.xml'), 404, 'token');
		// a ticket that came by phone has no token
		const phone = await registerTicket(a, operator, { channel: 'phone', type: '求助', content: '电话来件', address: '姑苏区' });
		expectJsonError(await getToken(`${phone.ticketNo}.json`), 404, phone.ticketNo);
	});
});

describe('what the reporter sent, on 工单详情 and in /api/v1/tickets/{no}', () => {
	const leader: CaseUser = { id: null, role: 'leader', unitCode: null, displayName: '测试领导' };
	const assistUser: CaseUser = { id: null, role: 'unit_handler', unitCode: 'M02', displayName: '测试协办人' };
	const otherUnit: CaseUser = { id: null, role: 'unit_handler', unitCode: 'M01', displayName: '其他单位' };
	const apiDetail = async (user: CaseUser, no: string) => {
		const res = await ticketApi.GET({ locals: { user }, params: { no } } as never);
		return { status: res.status, body: await res.json() };
	};

	it('shows the media link, the e-mail (masked where the phone is) and the attributes to those who may see the ticket', async () => {
		const form = new URLSearchParams({ api_key: KEY, ...GOOD, 'attribute[WHISPAWN]': '123456', 'attribute[NOTE]': '可致电张三 13912345678' });
		form.append('attribute[COLOR][]', 'red');
		form.append('attribute[COLOR][]', 'blue');
		const r = await post('requests.json', form);
		expect(r.status, r.text).toBe(201);
		const id = String((r.body as Req[])[0].service_request_id);

		// the operator who screens it: as sent, the e-mail unmasked like the phone
		const seen = await ticketDetail(a, operator, id);
		expect(seen.caller.phone).toBe(GOOD.phone);
		expect(seen.open311).toEqual({
			mediaUrl: GOOD.media_url,
			email: GOOD.email,
			// no service defines attributes yet (metadata false): shown by their codes
			attributes: [
				{ code: 'COLOR', label: null, values: ['red', 'blue'] },
				{ code: 'NOTE', label: null, values: ['可致电张三 13912345678'] },
				{ code: 'WHISPAWN', label: null, values: ['123456'] }
			]
		});
		// a leader sees the ticket with the caller masked: the e-mail and the attribute text too
		const masked = await ticketDetail(a, leader, id);
		expect(masked.caller.phone).toBe('138****5678');
		expect(masked.open311!.email).toBe('z***@example.com');
		expect(masked.open311!.mediaUrl).toBe(GOOD.media_url);
		expect(masked.open311!.attributes.find((x) => x.code === 'NOTE')!.values[0]).toBe('可致电张* 139****5678');
		expect(JSON.stringify(masked)).not.toContain(GOOD.email);

		// on the screen: the e-mail beside the phone, the link inert (never an image the browser would fetch)
		const html = renderTicketPage(a, seen, operator);
		expect(html).toMatch(/data-testid="caller-email"[^>]*>zhangsan@example\.com</);
		expect(html).toMatch(
			/<a href="https:\/\/img\.example\.com\/a\.jpg" target="_blank" rel="noopener noreferrer nofollow" referrerpolicy="no-referrer" data-testid="media-url"[^>]*>https:\/\/img\.example\.com\/a\.jpg<\/a>/
		);
		expect(html).not.toContain('<img');
		expect(html).toMatch(/data-code="COLOR"[^>]*><dt[^>]*>COLOR(<!--[^>]*-->)*<\/dt>\s*<dd[^>]*>red、blue<\/dd>/);
		const maskedHtml = renderTicketPage(a, masked, leader);
		expect(maskedHtml).toContain('z***@example.com');
		expect(maskedHtml).not.toContain(GOOD.email);

		// the same through the API
		const api = await apiDetail(leader, id);
		expect(api.status).toBe(200);
		expect(api.body.open311).toEqual(masked.open311);
		expect((await apiDetail(operator, id)).body.open311.email).toBe(GOOD.email);

		// units: the lead unit handles it (unmasked), an assisting unit sees it masked, any other unit not at all
		let t = await act(id, operator, { action: 'accept' });
		t = await act(id, dispatcher, { action: 'dispatch', unit_code: UNIT, assist_units: ['M02'], version: t.version });
		expect((await ticketDetail(a, unitUser, id)).open311!.email).toBe(GOOD.email);
		expect((await ticketDetail(a, assistUser, id)).open311!.email).toBe('z***@example.com');
		await expect(ticketDetail(a, otherUnit, id)).rejects.toMatchObject({ code: 'not_found' });
		const refused = await apiDetail(otherUnit, id);
		expect(refused.status).toBe(404);
		expect(JSON.stringify(refused.body)).not.toContain('example.com');
	});

	it('has none for other tickets, and never passes on a link that is not http or https', async () => {
		const phone = await registerTicket(a, operator, { channel: 'phone', type: '求助', content: '电话登记', address: '姑苏区', category_code: '010101' });
		expect((await ticketDetail(a, operator, phone.ticketNo)).open311).toBeNull();
		await a.rel.db.insert(open311Requests).values({ ticketId: phone.id, serviceCode: '0101', mediaUrl: 'javascript:alert(1)', attributes: {} });
		expect((await ticketDetail(a, operator, phone.ticketNo)).open311).toEqual({ mediaUrl: null, email: null, attributes: [] });
	});

	it('labels attributes as a service definition describes them, in its order, with its value names', () => {
		const labels = attributeLabelsOf([
			{ code: 'COLOR', description: '颜色', order: 2, values: [{ key: 'r', name: '红色' }] },
			{ code: 'SIZE', description: '', order: 1 },
			{ code: null }
		]);
		expect([...labels.keys()]).toEqual(['COLOR', 'SIZE']);
		expect(labels.get('COLOR')).toEqual({ label: '颜色', order: 2, values: new Map([['r', '红色']]) });
		expect(labels.get('SIZE')).toEqual({ label: 'SIZE', order: 1, values: new Map() });
	});
});

describe('status mapping and the lifecycle', () => {
	it('is open while the ticket is worked on and closed once finished; shows the unit, the deadline and the close time', async () => {
		const id = await created({ service_code: '0101', address_string: '姑苏区平江路', description: '生命周期测试' });
		let t = await act(id, operator, { action: 'accept' });
		expect(await one(id)).toMatchObject({ status: 'open', status_notes: '待派单', agency_responsible: null, expected_datetime: null });

		t = await act(id, dispatcher, { action: 'dispatch', unit_code: UNIT, version: t.version });
		let q = await one(id);
		const unitName = a.ref.unitByCode.get(UNIT)!.name;
		expect(q).toMatchObject({ status: 'open', status_notes: '待签收', agency_responsible: unitName });
		expect(q.expected_datetime).toBe(iso(t.replyDeadline!));
		expect(Date.parse(String(q.expected_datetime))).toBe(t.replyDeadline!.getTime() - (t.replyDeadline!.getTime() % 1000));
		expect(q.service_notice).toContain(unitName);
		// the sign-for limit as the screens show it: the end of its last day (24:00), not 00:00 of the next
		expect(formatDeadline(t.signDeadline!.toISOString())).toMatch(/ 24:00$/);
		expect(q.service_notice).toBe(`已派至${unitName}，应于 ${formatDeadline(t.signDeadline!.toISOString())} 前签收`);

		t = await act(id, unitUser, { action: 'sign', version: t.version });
		expect(await one(id)).toMatchObject({
			status: 'open',
			status_notes: '办理中',
			service_notice: `${unitName}办理中，应于 ${formatDeadline(t.replyDeadline!.toISOString())} 前答复`
		});
		t = await act(id, unitUser, { action: 'reply', note: '已清理', version: t.version });
		expect(await one(id)).toMatchObject({ status: 'open', status_notes: '待回访' });
		t = await act(id, supervisor, { action: 'visit', satisfaction: '满意', version: t.version });
		q = await one(id);
		expect(q).toMatchObject({ status: 'closed', status_notes: '已办结', agency_responsible: unitName, service_notice: null });
		expect(q.updated_datetime).toBe(iso(t.closedAt!));
		expect(q.expected_datetime).toBe(iso(t.replyDeadline!));
		// the return visit's 满意 is not the public's business either
		expect(JSON.stringify(q)).not.toContain('满意');
	});

	it('maps every screening outcome to closed, with the reason or the line as the status notes', async () => {
		const notAccepted = await created({ service_code: '0101', address_string: '姑苏区', description: '不予受理测试' });
		const t1 = await act(notAccepted, operator, { action: 'not_accept', reason: 4 });
		expect(await one(notAccepted)).toMatchObject({ status: 'closed', status_notes: `不予受理：${NOT_ACCEPTED_REASONS[4]}` });
		expect((await one(notAccepted)).updated_datetime).toBe(iso(t1.closedAt!));

		const transferred = await created({ service_code: '0101', address_string: '姑苏区', description: '转办测试' });
		await act(transferred, operator, { action: 'transfer', transferred_to: '119' });
		expect(await one(transferred)).toMatchObject({ status: 'closed', agency_responsible: '119 紧急热线' });
		expect((await one(transferred)).status_notes).toContain('119');

		const answered = await created({ service_code: '0101', address_string: '姑苏区', description: '直接答复测试' });
		await act(answered, operator, { action: 'answer', note: '已告知办理流程' });
		expect(await one(answered)).toMatchObject({ status: 'closed', status_notes: '直接答复' });

		// 并单 into a ticket still being handled
		const main = await created({ service_code: '0101', address_string: '姑苏区', description: '主工单' });
		const merged = await created({ service_code: '0101', address_string: '姑苏区', description: '并单测试' });
		await act(merged, operator, { action: 'merge', duplicate_of: main });
		expect(await one(merged)).toMatchObject({ status: 'closed', status_notes: `已并入工单 ${main}，随该工单办理` });

		// a refusal as secret or private keeps the text back, and the place with it
		const secret = await created({ service_code: '0101', address_string: '姑苏区平江路100号3单元302室', lat: '31.32', long: '120.63', description: '涉及隐私的内容' });
		expect(await one(secret)).toMatchObject({ address: '姑苏区平江路100号3单元302室', lat: 31.32, long: 120.63 });
		await act(secret, operator, { action: 'not_accept', reason: 6 });
		expect(await one(secret)).toMatchObject({ status: 'closed', description: null, address: null, lat: null, long: null });
	});

	it('keeps back where a report (举报) comes from as well as its text: its district only', async () => {
		const STREET_OFFICE = 'S320508018'; // 姑苏区平江街道办事处
		const report = await registerTicket(a, operator, {
			channel: 'phone',
			type: '举报',
			content: '楼下饭店违规排放油烟',
			address: '姑苏区平江路100号3单元302室',
			lon: 120.63,
			lat: 31.32
		});
		expect(report.districtCode).toBe('320508');
		expect(await one(report.ticketNo)).toMatchObject({ description: null, address: null, lat: null, long: null, address_id: '320508' });
		// handled by a street office, whose name is the street: no unit is named
		await act(report.ticketNo, operator, { action: 'accept' });
		await act(report.ticketNo, dispatcher, { action: 'dispatch', unit_code: STREET_OFFICE });
		const shown = await one(report.ticketNo);
		expect(shown).toMatchObject({ agency_responsible: null, address_id: '320508' });
		expect(shown.service_notice).toMatch(/^已派至承办单位/);
		expect(JSON.stringify(shown)).not.toContain('平江');
	});

	it('is open again after an unsatisfied visit sends the ticket back', async () => {
		const id = await created({ service_code: '0101', address_string: '姑苏区', description: '重新办理测试' });
		let t = await act(id, operator, { action: 'accept' });
		t = await act(id, dispatcher, { action: 'dispatch', unit_code: UNIT, version: t.version });
		t = await act(id, unitUser, { action: 'sign', version: t.version });
		t = await act(id, unitUser, { action: 'reply', note: '已处理', version: t.version });
		// the first round's reply deadline is long past by the time of the visit
		const first = new Date(Date.now() - 10 * DAY);
		await a.rel.db.update(tickets).set({ replyDeadline: first }).where(eq(tickets.ticketNo, id));
		t = await act(id, supervisor, { action: 'visit', satisfaction: '不满意', reopen: true, version: t.version });
		// waiting for re-dispatch: no unit holds it, and the last round's reply deadline (passed or not) is no date to expect
		expect(t.unitCode).toBe(UNIT);
		expect(await one(id)).toMatchObject({ status: 'open', status_notes: '重新办理', agency_responsible: null, expected_datetime: null });
		const x = await getRequest(`${id}.xml`);
		expect(x.text).toContain('<agency_responsible></agency_responsible>');
		expect(x.text).toContain('<expected_datetime></expected_datetime>');
		expect(x.text).not.toContain(iso(first));
		// dispatched again: the new round's unit and deadline
		t = await act(id, dispatcher, { action: 'dispatch', unit_code: 'M02', version: t.version });
		expect(await one(id)).toMatchObject({
			status: 'open',
			agency_responsible: a.ref.unitByCode.get('M02')!.name,
			expected_datetime: iso(t.replyDeadline!)
		});
		expect(t.replyDeadline!.getTime()).toBeGreaterThan(Date.now());
	});

	it('shows no unit or deadline for a ticket a unit returned, until it is dispatched again', async () => {
		const id = await created({ service_code: '0101', address_string: '姑苏区', description: '退单测试' });
		let t = await act(id, operator, { action: 'accept' });
		t = await act(id, dispatcher, { action: 'dispatch', unit_code: UNIT, version: t.version });
		t = await act(id, unitUser, { action: 'return', note: '不属于本单位职责', version: t.version });
		expect(await one(id)).toMatchObject({ status: 'open', status_notes: '待派单', agency_responsible: null, expected_datetime: null });
	});
});

async function act(no: string, user: CaseUser, input: Record<string, unknown>) {
	const [t] = await a.rel.db.select().from(tickets).where(eq(tickets.ticketNo, no));
	return actOnTicket(a, user, no, { version: t.version, ...input });
}
const iso = (d: Date) => {
	const s = new Date(Math.floor(d.getTime() / 1000) * 1000 + 8 * 3_600_000).toISOString();
	return `${s.slice(0, 19)}+08:00`;
};

describe('GET requests', () => {
	/** Puts a ticket's received time `daysAgo` days back. */
	async function receivedDaysAgo(no: string, daysAgo: number) {
		await a.rel.db
			.update(tickets)
			.set({ receivedAt: new Date(Date.now() - daysAgo * DAY) })
			.where(eq(tickets.ticketNo, no));
	}
	const ids = (r: Answer) => (r.body as Req[]).map((q) => q.service_request_id);

	it('defaults to the most recent 90 days, newest first, in JSON and XML', async () => {
		const recent = await created({ service_code: '0203', address_string: '姑苏区', description: '噪声十天前' });
		const old = await created({ service_code: '0203', address_string: '姑苏区', description: '噪声一百天前' });
		const newest = await created({ service_code: '0203', address_string: '姑苏区', description: '噪声今天' });
		await receivedDaysAgo(recent, 10);
		await receivedDaysAgo(old, 100);
		const r = await getRoot('requests.json', { service_code: '0203' });
		expect(r.status).toBe(200);
		expect(r.type).toBe(JSON_TYPE);
		expect(ids(r)).toEqual([newest, recent]);
		const x = await getRoot('requests.xml', { service_code: '0203' });
		expect(x.type).toBe(XML_TYPE);
		expect(x.text.match(/<request>/g)).toHaveLength(2);
		expect(x.text.indexOf(newest)).toBeLessThan(x.text.indexOf(recent));
		expect(x.text).not.toContain(old);
		// the whole list holds no personal data either
		const all = await getRoot('requests.json');
		expect(all.text).not.toContain('13812345678');
		expect(all.text).not.toContain('张三');
		expect(all.text).not.toContain('zhangsan@example.com');
	});

	it('selects by start_date and end_date (w3c), a lone start_date covering the 90 days after it', async () => {
		const a40 = await created({ service_code: '0204', address_string: '姑苏区', description: '固废四十天前' });
		const a100 = await created({ service_code: '0204', address_string: '姑苏区', description: '固废一百天前' });
		const a150 = await created({ service_code: '0204', address_string: '姑苏区', description: '固废一百五十天前' });
		await receivedDaysAgo(a40, 40);
		await receivedDaysAgo(a100, 100);
		await receivedDaysAgo(a150, 150);
		const day = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY).toISOString().replace(/\.\d+Z$/, 'Z');
		expect(ids(await getRoot('requests.json', { service_code: '0204', start_date: day(120), end_date: day(60) }))).toEqual([a100]);
		expect(ids(await getRoot('requests.json', { service_code: '0204', start_date: day(160) }))).toEqual([a100, a150]);
		expect(ids(await getRoot('requests.json', { service_code: '0204', end_date: day(90) }))).toEqual([a100, a150]);
		expect(ids(await getRoot('requests.json', { service_code: '0204', start_date: day(50), end_date: day(30) }))).toEqual([a40]);
		// a day written without a time covers that whole Shanghai day
		const shanghaiDay = new Date(Date.now() - 40 * DAY + 8 * 3_600_000).toISOString().slice(0, 10);
		expect(ids(await getRoot('requests.json', { service_code: '0204', start_date: shanghaiDay, end_date: shanghaiDay }))).toEqual([a40]);
	});

	it('takes in a request received within the second an end_date copied from a requested_datetime names', async () => {
		const id = await created({ service_code: '0205', address_string: '姑苏区', description: '同一秒内收到' });
		const second = Math.floor((Date.now() - 5 * DAY) / 1000) * 1000;
		await a.rel.db
			.update(tickets)
			.set({ receivedAt: new Date(second + 700) })
			.where(eq(tickets.ticketNo, id));
		const shown = String((await one(id)).requested_datetime);
		expect(shown).toBe(iso(new Date(second)));
		expect(ids(await getRoot('requests.json', { service_code: '0205', end_date: shown }))).toEqual([id]);
		expect(ids(await getRoot('requests.json', { service_code: '0205', start_date: shown, end_date: shown }))).toEqual([id]);
		// fractional seconds name an instant: the one before the request leaves it out
		expect(ids(await getRoot('requests.json', { service_code: '0205', start_date: shown, end_date: shown.replace('+08:00', '.699+08:00') }))).toEqual([]);
	});

	it('refuses a span over 90 days, an end before the start and dates not in w3c format with 400', async () => {
		expectJsonError(await getRoot('requests.json', { start_date: '2026-01-01T00:00:00Z', end_date: '2026-06-01T00:00:00Z' }), 400, '90 天');
		expectJsonError(
			await getRoot('requests.json', { start_date: '2026-06-01T00:00:00Z', end_date: '2026-01-01T00:00:00Z' }),
			400,
			'end_date',
			'早于'
		);
		expectJsonError(await getRoot('requests.json', { start_date: '2026/06/01' }), 400, 'start_date', '2026/06/01');
		expectXmlError(await getRoot('requests.xml', { end_date: 'tomorrow' }), 400, 'end_date', 'tomorrow');
		// at the ends of the calendar: the window stays within the years a timestamp is written in (it was a 500-like
		// "服务处理失败" with PostgreSQL's "time zone displacement out of range" in the log)
		for (const q of <Record<string, string>[]>[
			{ start_date: '9999-12-31' },
			{ start_date: '9999-12-31T23:59:59-14:00' },
			{ end_date: '0001-01-01' },
			{ end_date: '0001-01-01T00:00:00+14:00' },
			{ start_date: '9999-12-31T23:59:59Z', end_date: '9999-12-31T23:59:59Z' }
		]) {
			const r = await getRoot('requests.json', q);
			expect(r.status, JSON.stringify(q)).toBe(200);
			expect(r.body).toEqual([]);
		}
		// exactly 90 whole days is allowed
		expect((await getRoot('requests.json', { start_date: '2026-08-01', end_date: '2026-10-29' })).status).toBe(200);
		expectJsonError(await getRoot('requests.json', { start_date: '2026-08-01', end_date: '2026-10-30' }), 400, '90 天');
	});

	it('selects by service_code (comma list, tickets of its level-3 categories included) and refuses unknown codes', async () => {
		const svc = await created({ service_code: '0601', address_string: '姑苏区', description: '食品一' });
		const other = await created({ service_code: '0602', address_string: '姑苏区', description: '消费一' });
		// a ticket classified one level deeper (010101-style code) belongs to its level-2 service
		const phone = await registerTicket(a, operator, {
			channel: 'phone',
			type: '投诉',
			content: '过期食品',
			address: '姑苏区',
			category_code: '060101'
		});
		const r = await getRoot('requests.json', { service_code: '0601' });
		expect(ids(r)).toEqual([phone.ticketNo, svc]);
		expect((r.body as Req[])[0]).toMatchObject({ service_code: '0601', service_name: a.ref.categoryByCode.get('0601')!.name });
		expect(ids(await getRoot('requests.json', { service_code: '0601,0602' }))).toEqual([phone.ticketNo, other, svc]);
		expect(ids(await getRoot('requests.json', 'service_code=0601&service_code=0602'))).toEqual([phone.ticketNo, other, svc]);
		expectJsonError(await getRoot('requests.json', { service_code: '0601,7777' }), 400, 'service_code', '7777');
	});

	it('selects by status open or closed (both: all) and refuses other statuses', async () => {
		const open = await created({ service_code: '0701', address_string: '姑苏区', description: '劳动一' });
		const closed = await created({ service_code: '0701', address_string: '姑苏区', description: '劳动二' });
		await act(closed, operator, { action: 'not_accept', reason: 1 });
		expect(ids(await getRoot('requests.json', { service_code: '0701', status: 'open' }))).toEqual([open]);
		expect(ids(await getRoot('requests.json', { service_code: '0701', status: 'closed' }))).toEqual([closed]);
		expect(ids(await getRoot('requests.json', { service_code: '0701', status: 'open,closed' }))).toEqual([closed, open]);
		expectJsonError(await getRoot('requests.json', { status: 'pending' }), 400, 'status', 'pending');
	});

	it('takes a service_request_id list over every other argument', async () => {
		const x = await created({ service_code: '0801', address_string: '姑苏区', description: '医保一' });
		const y = await created({ service_code: '0801', address_string: '姑苏区', description: '医保二' });
		await receivedDaysAgo(y, 400);
		const r = await getRoot('requests.json', {
			service_request_id: `${x},${y},SZ20000101-H00000`,
			status: 'closed',
			service_code: '9999',
			start_date: 'bad'
		});
		expect(r.status).toBe(200);
		expect(ids(r)).toEqual([x, y]);
		const xml = await getRoot('requests.xml', { service_request_id: y });
		expect(xml.text).toContain(`<service_request_id>${y}</service_request_id>`);
		expect(xml.text.match(/<request>/g)).toHaveLength(1);
	});

	it('returns at most 1,000 requests', async () => {
		const base = await registerTicket(a, operator, {
			channel: 'phone',
			type: '求助',
			content: '批量',
			address: '姑苏区',
			category_code: '100101'
		});
		const rows = Array.from({ length: MAX_REQUESTS + 5 }, (_, i) => ({
			ticketNo: `BULK-${i}`,
			source: 'test',
			externalId: `bulk-${i}`,
			channel: 'phone',
			type: '求助',
			categoryCode: '1001',
			content: '批量',
			status: 'received',
			receivedAt: new Date(base.receivedAt.getTime() - (i + 1) * 1000),
			updatedAt: new Date()
		}));
		await a.rel.db.insert(tickets).values(rows);
		const list = await listRequests(a, { values: { service_code: '1001' }, attributes: {} });
		expect(list).toHaveLength(MAX_REQUESTS);
		expect(list[0].service_request_id).toBe(base.ticketNo);
		expect(list[MAX_REQUESTS - 1].service_request_id).toBe(`BULK-${MAX_REQUESTS - 2}`);
		expect((await getRoot('requests.json', { service_code: '1001' })).body).toHaveLength(MAX_REQUESTS);
	});

	it('answers 404 for another jurisdiction', async () => {
		expectJsonError(await getRoot('requests.json', { jurisdiction_id: 'city.gov' }), 404, 'jurisdiction_id');
		expectXmlError(await getRoot('requests.xml', { jurisdiction_id: 'city.gov' }), 404, 'jurisdiction_id');
	});
});

describe('the server hook', () => {
	it('passes Open311 requests through without a session, a login redirect or the origin rule for forms', async () => {
		const through = async (method: string, path: string, handler: Handler, file: string, body?: string) => {
			const url = new URL(`http://localhost${path}`);
			const request = new Request(url, {
				method,
				body,
				// another server: a form without an Origin header and without a session cookie
				headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}
			});
			const event = { url, request, params: { file }, locals: {}, cookies: { get: () => undefined, delete: () => {} } };
			return handle({ event, resolve: (e: unknown) => handler(e as never) } as never);
		};
		const created = await through(
			'POST',
			'/open311/v2/requests.json',
			rootRoute.POST as Handler,
			'requests.json',
			new URLSearchParams({ api_key: KEY, service_code: '0101', address_string: '姑苏区', description: '经由钩子' }).toString()
		);
		expect(created.status).toBe(201);
		const refused = await through('POST', '/open311/v2/requests.json', rootRoute.POST as Handler, 'requests.json', 'service_code=0101');
		expect(refused.status).toBe(403);
		// the spec's errors list stays as it is (not turned into the /api/v1 error shape)
		expect(await refused.json()).toEqual([{ code: 403, description: expect.stringContaining('api_key') }]);
		const listed = await through('GET', '/open311/v2/services.xml', rootRoute.GET as Handler, 'services.xml');
		expect(listed.status).toBe(200);
		expect(listed.headers.get('content-type')).toBe(XML_TYPE);
		const discovered = await through('GET', '/open311/discovery.json', discoveryRoute.GET as Handler, 'discovery.json');
		expect(discovered.status).toBe(200);
		expect((await discovered.json()).endpoints[0].url).toBe('http://localhost/open311/v2');
	});
});
