CREATE TABLE "routing_rules" (
	"category_code" text PRIMARY KEY NOT NULL,
	"handler" text,
	"edited_at" timestamp with time zone DEFAULT now() NOT NULL,
	"edited_by" text NOT NULL,
	"version" integer DEFAULT 2 NOT NULL
);
