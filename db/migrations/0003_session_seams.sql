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
ALTER TABLE "nanocycle_logs" DROP CONSTRAINT "nanocycle_logs_stream";--> statement-breakpoint
DROP INDEX "sessions_one_open_per_project";--> statement-breakpoint
ALTER TABLE "nanocycle_logs" ADD COLUMN "attempt" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
CREATE INDEX "idempotency_keys_created" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_one_active_per_project" ON "sessions" USING btree ("project") WHERE status in ('starting', 'active');--> statement-breakpoint
ALTER TABLE "nanocycle_logs" ADD CONSTRAINT "nanocycle_logs_stream" CHECK ("nanocycle_logs"."stream" in ('stdout', 'stderr', 'tevis'));