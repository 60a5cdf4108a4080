// The vocabulary of alerts (预警), shared by the server, the notifier and the pages (no runtime dependencies).
import type { Role } from './types';

/** Who handles alerts (acknowledge, escalate, resolve, dismiss): the emergency office (DESIGN.md), and admins.
 * Leaders read them and may add notes. */
export const ALERT_HANDLER_ROLES: readonly Role[] = ['admin', 'emergency'];

export const ALERT_STATUSES = ['new', 'acknowledged', 'escalated', 'resolved', 'dismissed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export type AlertSignal = 'firing' | 'recovering' | 'normal';

export const STATUS_LABELS: Record<AlertStatus, string> = {
	new: '新预警',
	acknowledged: '已确认',
	escalated: '已升级',
	resolved: '已解除',
	dismissed: '已排除'
};
export const SIGNAL_LABELS: Record<AlertSignal, string> = { firing: '持续异常', recovering: '回落观察', normal: '已恢复正常' };

/** The national emergency scale: 1 is the most severe. */
export const SEVERITIES = [1, 2, 3, 4] as const;
export const SEVERITY_LABELS: Record<number, string> = { 1: 'Ⅰ级（特别重大）', 2: 'Ⅱ级（重大）', 3: 'Ⅲ级（较大）', 4: 'Ⅳ级（一般）' };

/** A webhook delivery attempt's outcome and the alert event it carried, as the delivery logs show them. */
export const DELIVERY_STATUS_LABELS: Record<string, string> = {
	ok: '成功',
	retry: '失败，将重试',
	failed: '失败',
	timeout_retry: '超时（可能已送达），将重试',
	timeout: '超时，可能已送达',
	interrupted: '失败；服务重启，未再重试',
	withheld: '不再发送',
	held: '对方限流，稍后重发',
	superseded: '已被后续通知取代'
};
/** How the logs colour an attempt's outcome: a success, a failure, or neither (possibly delivered, not sent). */
export function deliveryTone(status: string): 'ok' | 'bad' | 'muted' {
	return status === 'ok' ? 'ok' : status === 'retry' || status === 'failed' || status === 'interrupted' ? 'bad' : 'muted';
}
/** One attempt to send an alert's message to a receiver, as the delivery logs list it. */
export interface DeliveryView {
	id: number;
	webhookId: number;
	/** the receiver's name, 「（已删除）」 after it once deleted */
	webhook: string;
	alertId: number;
	event: string;
	attempt: number;
	status: string;
	httpStatus: number | null;
	/** without secrets (a DingTalk signature, a user name and password in an address) */
	error: string | null;
	durationMs: number;
	at: string;
}

export const DELIVERY_EVENT_LABELS: Record<string, string> = {
	fired: '触发',
	refired: '再次触发',
	severity_raised: '级别提高',
	escalated: '升级',
	resolved: '解除',
	acknowledged: '确认',
	dismissed: '排除',
	recovered: '恢复'
};

/** What a change of an alert was, as the live link (/api/v1/alerts/stream) tells it, for people. */
export const CHANGE_LABELS = {
	fired: '检测到异常',
	refired: '再次触发',
	severity_raised: '检测到事件扩大，级别已提高',
	updated: '检测更新了数据',
	recovered: '序列回落',
	auto_resolved: '已自动解除',
	acknowledged: '已被确认',
	escalated: '已升级',
	resolved: '已解除',
	dismissed: '已排除为误报',
	note: '有新备注',
	silenced: '已被静默',
	unsilenced: '静默已结束'
} as const;

/** One message of the live link: which alert changed, and how. */
export interface AlertChangeEvent {
	id: number;
	event: keyof typeof CHANGE_LABELS;
	/** the user whose action it was (none for the detection and for silences) */
	by?: number;
}
