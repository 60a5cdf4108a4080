CREATE TABLE "ticket_links" (
	"ticket_id" integer NOT NULL,
	"linked_id" integer NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ticket_links_ticket_id_linked_id_pk" PRIMARY KEY("ticket_id","linked_id"),
	CONSTRAINT "ticket_links_ordered" CHECK ("ticket_links"."ticket_id" < "ticket_links"."linked_id")
);
--> statement-breakpoint
ALTER TABLE "ticket_links" ADD CONSTRAINT "ticket_links_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_links" ADD CONSTRAINT "ticket_links_linked_id_tickets_id_fk" FOREIGN KEY ("linked_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ticket_links_linked_idx" ON "ticket_links" USING btree ("linked_id");