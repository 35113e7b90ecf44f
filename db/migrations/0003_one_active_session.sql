DROP INDEX "sessions_one_open_per_project";--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_one_active_per_project" ON "sessions" USING btree ("project") WHERE status in ('starting', 'active');