// The pending state of a page's enhanced forms: its buttons are busy while one of them submits, and the page
// takes the action's result (SvelteKit's default update) when it comes back. `use:enhance={forms.enhance}`.
//
// A refusal with 409 (someone else changed the thing meanwhile, or it is no longer in a state that allows the
// action) also reloads the page's data: the page then shows the current state and version, and the form keeps what
// was typed (the action returns it), so a second click acts on what is there now instead of failing again.
// Except when the refusal says the ticket left the user (`gone`: a unit whose ticket a colleague returned or that went
// to another unit): its page would now load as a 404 and drop what was typed, so the page stays as it is and says so.
//
// While one submits, the buttons say they are busy (aria-disabled) and a second submission is dropped; they are not
// disabled, which would take the keyboard's focus from the button pressed and leave it on the page's body.
import { invalidateAll } from '$app/navigation';

export class Submitting {
	pending = $state(false);
	/** the last submission was refused with 409 and the page's data has been reloaded since */
	refreshed = $state(false);

	enhance = ({ cancel }: { cancel: () => void }) => {
		if (this.pending) return cancel();
		this.pending = true;
		this.refreshed = false;
		return async ({ result, update }: { result: { type: string; status?: number; data?: Record<string, unknown> }; update: () => Promise<void> }) => {
			try {
				await update();
				if (result.type === 'failure' && result.status === 409 && !result.data?.gone) {
					await invalidateAll();
					// the note that the page was refreshed to someone else's change: not for a refusal of what was on it
					this.refreshed = result.data?.conflict !== false;
				}
			} finally {
				this.pending = false;
			}
		};
	};
}

/** What a page says after a 409 refusal reloaded its data. */
export const REFRESHED_NOTE = '页面已刷新为最新状态，请核对后重新提交。';
