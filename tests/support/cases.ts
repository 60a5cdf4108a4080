// What the case-handling tests share: a call as an operator registers it, and test users by role.
import { render } from 'svelte/server';
import type { App } from '../../src/lib/server/app';
import { createUser } from '../../src/lib/server/auth/index';
import { caseChoices, placeChoices } from '../../src/lib/server/cases/forms';
import type { TicketDetail } from '../../src/lib/server/cases/read';
import type { CaseUser } from '../../src/lib/server/cases/service';
import type { Role } from '../../src/lib/types';
import { cityShortName } from '../../pipelines/reference/index';
import TicketPage from '../../src/routes/(app)/tickets/[no]/+page.svelte';

/** A complaint about restaurant fumes in 姑苏区, with the caller named. */
export const INTAKE = {
	channel: 'phone',
	type: '投诉',
	title: '小区门口餐馆油烟扰民',
	content: '姑苏区某小区门口的餐馆每天晚上油烟很大，影响居民开窗通风，希望有关部门处理。',
	address: '姑苏区平江路100号',
	district_code: '320508',
	category_code: null,
	caller_name: '张三',
	caller_phone: '13812341234'
};

/** The hotline's own staff most case tests act as (keys operator, dispatcher, supervisor), for `addPeople`'s spec. */
export const HOTLINE_STAFF: Record<'operator' | 'dispatcher' | 'supervisor', [Role]> = {
	operator: ['operator'],
	dispatcher: ['dispatcher'],
	supervisor: ['supervisor']
};

/** Adds a user for each key (`t_<key>`, password 'desk-ledger-42') with its role and unit, into `people`. */
export async function addPeople(a: App, people: Record<string, CaseUser>, spec: Record<string, [Role, string?]>): Promise<void> {
	for (const [key, [role, unit]] of Object.entries(spec)) {
		const unitCode = unit ?? null;
		const id = await createUser(a.rel.db, { username: `t_${key}`, displayName: `测试${key}`, role, password: 'desk-ledger-42', unitCode });
		people[key] = { id, role, unitCode, displayName: `测试${key}` };
	}
}

/** A user of `addPeople` as the hooks put it in locals (its user name t_<key>, no unit name), for route handlers. */
export const sessionOf = (people: Record<string, CaseUser>, key: string) => ({ ...people[key], username: `t_${key}`, unitName: null });

/** The ticket's page rendered on the server for `user`, with the data its load and the layout's give it (no map). */
export function renderTicketPage(a: App, detail: TicketDetail, user: CaseUser): string {
	const session = { ...user, id: user.id ?? 0, username: `t_${user.role}`, unitName: null };
	const data = { detail, choices: caseChoices(a), places: placeChoices(a), map: null, user: session, city: cityShortName(a.ref.cityName), nav: [] };
	return render(TicketPage, { props: { data, form: null, params: { no: detail.ticketNo } } as never }).body;
}
