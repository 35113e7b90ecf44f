CREATE TABLE "idempotency_keys" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status" text NOT NULL,
	"response_status" integer,
	"response_headers" jsonb,
	"response_body" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key"),
	CONSTRAINT "idempotency_keys_status" CHECK ("idempotency_keys"."status" in ('running', 'done'))
);
--> statement-breakpoint
CREATE TABLE "plan_versions" (
	"session_id" text NOT NULL,
	"version" integer NOT NULL,
	"plan" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "plan_versions_session_id_version_pk" PRIMARY KEY("session_id","version")
);
--> statement-breakpoint
ALTER TABLE "nanocycle_logs" DROP CONSTRAINT "nanocycle_logs_stream";--> statement-breakpoint
DROP INDEX "sessions_one_open_per_project";--> statement-breakpoint
ALTER TABLE "nanocycle_logs" ADD COLUMN "attempt" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "plan_versions" ADD CONSTRAINT "plan_versions_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idempotency_keys_created" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_one_active_per_project" ON "sessions" USING btree ("project") WHERE status in ('starting', 'active');--> statement-breakpoint
ALTER TABLE "nanocycle_logs" ADD CONSTRAINT "nanocycle_logs_stream" CHECK ("nanocycle_logs"."stream" in ('stdout', 'stderr', 'tevis'));--> statement-breakpoint
-- Plans drafted before versions existed become version 1 of their session (hand-written: data, not schema).
INSERT INTO "plan_versions" ("session_id", "version", "plan", "created_at") SELECT "id", 1, "plan", "last_activity_at" FROM "sessions" WHERE "plan" IS NOT NULL;
