CREATE TABLE "plan_versions" (
	"session_id" text NOT NULL,
	"version" integer NOT NULL,
	"plan" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "plan_versions_session_id_version_pk" PRIMARY KEY("session_id","version")
);
--> statement-breakpoint
ALTER TABLE "plan_versions" ADD CONSTRAINT "plan_versions_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Plans drafted before versions existed become version 1 of their session (hand-written: data, not schema).
INSERT INTO "plan_versions" ("session_id", "version", "plan", "created_at") SELECT "id", 1, "plan", "last_activity_at" FROM "sessions" WHERE "plan" IS NOT NULL;
