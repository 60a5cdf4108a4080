import { describe, expect, it } from 'vitest';
import { CONTENT_TYPES, escapeXml, formatOf, parseResource, parseW3cDate, render, w3cDate, type Discovery, type Open311Service } from './format';

const SERVICE: Open311Service = {
	service_code: '0101',
	service_name: '市容环境',
	description: '城市管理 › 市容环境：乱堆乱放、占道经营',
	metadata: false,
	type: 'realtime',
	keywords: '乱堆乱放,占道经营',
	group: '城市管理'
};

const DISCOVERY: Discovery = {
	changeset: '2026-12-01T00:00:00+08:00',
	contact: '拨打 12345',
	key_service: '向管理员申请',
	endpoints: [
		{
			specification: 'http://wiki.open311.org/GeoReport_v2',
			url: 'https://example.gov.cn/open311/v2',
			changeset: '2026-12-01T00:00:00+08:00',
			type: 'production',
			formats: ['text/xml', 'application/json']
		}
	]
};

describe('resource names', () => {
	it('splits the format off the last dot and knows only xml and json', () => {
		expect(parseResource('services.json')).toEqual({ name: 'services', format: 'json' });
		expect(parseResource('SZ20261128-H00001.xml')).toEqual({ name: 'SZ20261128-H00001', format: 'xml' });
		expect(parseResource('a.b.JSON')).toEqual({ name: 'a.b', format: 'json' });
		expect(parseResource('services.csv')).toBeNull();
		expect(parseResource('services')).toBeNull();
		expect(parseResource('.json')).toBeNull();
	});

	it('answers an unknown format in XML, the format the spec requires', () => {
		expect(formatOf('services.csv')).toBe('xml');
		expect(formatOf('x/y.json')).toBe('json');
		expect(formatOf(undefined)).toBe('xml');
		expect(CONTENT_TYPES).toEqual({ xml: 'text/xml; charset=utf-8', json: 'application/json; charset=utf-8' });
	});
});

describe('XML', () => {
	it('escapes the markup characters and CR, and drops what XML 1.0 cannot carry', () => {
		expect(escapeXml(`<a href="x">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;');
		expect(escapeXml('一\u0000二\u0008三\u000B四\u001F五\uFFFE六')).toBe('一二三四五六');
		expect(escapeXml('tab\there\nline\r\nend')).toBe('tab\there\nline&#13;\nend');
		// a lone surrogate is not a character; a pair is
		expect(escapeXml('a\uD800b\uDC00c😀')).toBe('abc😀');
		// already-escaped text is escaped again (it is text, not markup)
		expect(escapeXml('&amp;')).toBe('&amp;amp;');
	});

	it('writes the service list with the declaration, <services><service> and the fields in order', () => {
		const xml = render({ kind: 'services', services: [SERVICE] }, 'xml');
		expect(xml).toBe(
			'<?xml version="1.0" encoding="utf-8"?>\n' +
				'<services>\n' +
				'  <service>\n' +
				'    <service_code>0101</service_code>\n' +
				'    <service_name>市容环境</service_name>\n' +
				'    <description>城市管理 › 市容环境：乱堆乱放、占道经营</description>\n' +
				'    <metadata>false</metadata>\n' +
				'    <type>realtime</type>\n' +
				'    <keywords>乱堆乱放,占道经营</keywords>\n' +
				'    <group>城市管理</group>\n' +
				'  </service>\n' +
				'</services>\n'
		);
		expect(render({ kind: 'services', services: [] }, 'xml')).toBe('<?xml version="1.0" encoding="utf-8"?>\n<services></services>\n');
	});

	it('writes requests as <service_requests><request>, null as an empty element, numbers and booleans as text', () => {
		const xml = render(
			{
				kind: 'service_requests',
				requests: [
					{ service_request_id: 'SZ1', description: '<script>alert("x")</script> & 1\u0007', lat: 31.3, account_id: null, ok: true }
				]
			},
			'xml'
		);
		expect(xml).toContain('<request>\n    <service_request_id>SZ1</service_request_id>\n');
		expect(xml).toContain('<description>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 1</description>');
		expect(xml).toContain('<lat>31.3</lat>');
		expect(xml).toContain('<account_id></account_id>');
		expect(xml).toContain('<ok>true</ok>');
		expect(xml).not.toContain('<script>');
		expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<service_requests>\n  <request>')).toBe(true);
		expect(xml.trimEnd().endsWith('</request>\n</service_requests>')).toBe(true);
	});

	it('writes a service definition with its attributes wrapper, and errors as <errors><error>', () => {
		expect(render({ kind: 'service_definition', definition: { service_code: '0101', attributes: [] } }, 'xml')).toBe(
			'<?xml version="1.0" encoding="utf-8"?>\n<service_definition>\n  <service_code>0101</service_code>\n  <attributes></attributes>\n</service_definition>\n'
		);
		const withValues = render(
			{
				kind: 'service_definition',
				definition: { service_code: 'X', attributes: [{ code: 'A', values: [{ key: '1', name: '是' }] }] }
			},
			'xml'
		);
		expect(withValues).toContain(
			'<attributes>\n    <attribute>\n      <code>A</code>\n      <values>\n        <value>\n          <key>1</key>'
		);
		expect(render({ kind: 'discovery', discovery: DISCOVERY }, 'xml')).toBe(
			'<?xml version="1.0" encoding="utf-8"?>\n' +
				'<discovery>\n' +
				'  <changeset>2026-12-01T00:00:00+08:00</changeset>\n' +
				'  <contact>拨打 12345</contact>\n' +
				'  <key_service>向管理员申请</key_service>\n' +
				'  <endpoints>\n' +
				'    <endpoint>\n' +
				'      <specification>http://wiki.open311.org/GeoReport_v2</specification>\n' +
				'      <url>https://example.gov.cn/open311/v2</url>\n' +
				'      <changeset>2026-12-01T00:00:00+08:00</changeset>\n' +
				'      <type>production</type>\n' +
				'      <formats>\n' +
				'        <format>text/xml</format>\n' +
				'        <format>application/json</format>\n' +
				'      </formats>\n' +
				'    </endpoint>\n' +
				'  </endpoints>\n' +
				'</discovery>\n'
		);
		expect(render({ kind: 'errors', errors: [{ code: 403, description: '缺少 api_key <必填>' }] }, 'xml')).toBe(
			'<?xml version="1.0" encoding="utf-8"?>\n<errors>\n  <error>\n    <code>403</code>\n    <description>缺少 api_key &lt;必填&gt;</description>\n  </error>\n</errors>\n'
		);
	});
});

describe('JSON', () => {
	it('writes lists for services, requests and errors and an object for a service definition and discovery', () => {
		expect(JSON.parse(render({ kind: 'discovery', discovery: DISCOVERY }, 'json'))).toEqual(DISCOVERY);
		expect(JSON.parse(render({ kind: 'services', services: [SERVICE] }, 'json'))).toEqual([SERVICE]);
		expect(JSON.parse(render({ kind: 'service_definition', definition: { service_code: '0101', attributes: [] } }, 'json'))).toEqual({
			service_code: '0101',
			attributes: []
		});
		expect(JSON.parse(render({ kind: 'errors', errors: [{ code: 404, description: 'x' }] }, 'json'))).toEqual([
			{ code: 404, description: 'x' }
		]);
	});

	it('keeps text exactly (quotes, markup, controls escaped by JSON) and turns non-finite numbers into null', () => {
		const text = `他说"你好"<b>&\u0001\n'`;
		const json = render({ kind: 'service_requests', requests: [{ description: text, lat: NaN, long: 120.5, media_url: null }] }, 'json');
		expect(json).toContain('\\u0001');
		expect(JSON.parse(json)).toEqual([{ description: text, lat: null, long: 120.5, media_url: null }]);
	});
});

describe('dates', () => {
	it('writes instants as w3c date-times in Asia/Shanghai', () => {
		expect(w3cDate(Date.parse('2026-11-28T02:05:30.999Z'))).toBe('2026-11-28T10:05:30+08:00');
		expect(w3cDate(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01T00:00:00+08:00');
		expect(w3cDate(null)).toBeNull();
		expect(w3cDate(undefined)).toBeNull();
	});

	it('reads the w3c profiles: a day, month or year is the whole Shanghai period, a time its whole second or minute', () => {
		// a time to the second is its whole second (the dates this API prints have whole seconds), one to the
		// minute its whole minute; one with fractional seconds is that instant
		expect(parseW3cDate('2010-01-01T00:00:00Z')).toEqual({ first: Date.UTC(2010, 0, 1), last: Date.UTC(2010, 0, 1) + 999 });
		const t = Date.parse('1994-11-05T13:15:30Z');
		expect(parseW3cDate('1994-11-05T08:15:30-05:00')).toEqual({ first: t, last: t + 999 });
		expect(parseW3cDate('1994-11-05T21:15:30.5+08:00')).toEqual({ first: t + 500, last: t + 500 });
		expect(parseW3cDate('1994-11-05T21:15:30.000+08:00')).toEqual({ first: t, last: t });
		expect(parseW3cDate('1994-11-05T21:15+08:00')).toEqual({ first: t - 30_000, last: t + 29_999 });
		// a '+' sent unencoded in a query string arrives as a space
		expect(parseW3cDate('1994-11-05T21:15:30 08:00')).toEqual({ first: t, last: t + 999 });
		expect(parseW3cDate('1994-11-05T21:15:30  08:00')).toBeNull();
		// without a zone designator: Asia/Shanghai
		expect(parseW3cDate('1994-11-05T21:15:30')!.first).toBe(t);
		expect(parseW3cDate('2026-11-28')).toEqual({
			first: Date.parse('2026-11-28T00:00:00+08:00'),
			last: Date.parse('2026-11-29T00:00:00+08:00') - 1
		});
		expect(parseW3cDate('2026-02')).toEqual({
			first: Date.parse('2026-02-01T00:00:00+08:00'),
			last: Date.parse('2026-03-01T00:00:00+08:00') - 1
		});
		expect(parseW3cDate('2026')).toEqual({
			first: Date.parse('2026-01-01T00:00:00+08:00'),
			last: Date.parse('2027-01-01T00:00:00+08:00') - 1
		});
		// the years 0001–0099 are those years, not 1901–1999 (as Date.UTC reads them)
		expect(new Date(parseW3cDate('0001-01-01')!.first + 8 * 3_600_000).toISOString()).toBe('0001-01-01T00:00:00.000Z');
		expect(new Date(parseW3cDate('0050-06-01T12:00:00Z')!.first).toISOString()).toBe('0050-06-01T12:00:00.000Z');
	});

	it('refuses other layouts and days or times that do not exist', () => {
		for (const bad of [
			'2026/11/28',
			'2026-11-28 10:00:00',
			'20261128',
			'2026-11-28T10:00:00+0800',
			'2026-02-29',
			'2026-13-01',
			'2026-11-28T24:00:00Z',
			'2026-11-28T10:00:00+15:00',
			'yesterday',
			''
		])
			expect(parseW3cDate(bad), bad).toBeNull();
		expect(parseW3cDate('2028-02-29')).not.toBeNull();
	});
});
