CREATE TABLE "lexicon" (
	"kind" text NOT NULL,
	"word" text NOT NULL,
	"freq" integer,
	"tag" text,
	"active" boolean DEFAULT true NOT NULL,
	"added" boolean NOT NULL,
	"edited_at" timestamp with time zone DEFAULT now() NOT NULL,
	"edited_by" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "lexicon_kind_word_pk" PRIMARY KEY("kind","word"),
	CONSTRAINT "lexicon_kind" CHECK ("lexicon"."kind" IN ('term', 'stop'))
);
