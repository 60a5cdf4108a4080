// The pending state of a page's enhanced forms: its buttons are disabled while one of them submits, and the page
// takes the action's result (SvelteKit's default update) when it comes back. `use:enhance={forms.enhance}`.
export class Submitting {
	pending = $state(false);

	enhance = () => {
		this.pending = true;
		return async ({ update }: { update: () => Promise<void> }) => {
			try {
				await update();
			} finally {
				this.pending = false;
			}
		};
	};
}
