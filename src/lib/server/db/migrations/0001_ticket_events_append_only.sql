-- ticket_events is the append-only audit trail of every lifecycle transition (DESIGN.md).
CREATE OR REPLACE FUNCTION ticket_events_append_only() RETURNS trigger AS $$
BEGIN
	RAISE EXCEPTION 'ticket_events is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER ticket_events_no_update_delete
	BEFORE UPDATE OR DELETE ON ticket_events
	FOR EACH ROW EXECUTE FUNCTION ticket_events_append_only();
