import type { ParamMatcher } from '@sveltejs/kit';
import { PLANNED_SCREENS } from '$lib/nav';

/** Screens of DESIGN.md that are planned but not built yet; built screens have their own routes. */
export const match: ParamMatcher = (param) => Object.hasOwn(PLANNED_SCREENS, param);
