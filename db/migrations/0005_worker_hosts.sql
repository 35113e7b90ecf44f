CREATE TABLE "worker_hosts" (
	"name" text PRIMARY KEY NOT NULL,
	"last_started_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "workspace_host" text;