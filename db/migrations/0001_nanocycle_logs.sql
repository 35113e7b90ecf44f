CREATE TABLE "nanocycle_logs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"session_id" text NOT NULL,
	"nanocycle_id" text NOT NULL,
	"run" integer NOT NULL,
	"seq" integer NOT NULL,
	"stream" text NOT NULL,
	"line" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "nanocycle_logs_stream" CHECK ("nanocycle_logs"."stream" in ('stdout', 'stderr'))
);
--> statement-breakpoint
ALTER TABLE "nanocycle_logs" ADD CONSTRAINT "nanocycle_logs_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "nanocycle_logs_session_nanocycle_seq" ON "nanocycle_logs" USING btree ("session_id","nanocycle_id","seq");