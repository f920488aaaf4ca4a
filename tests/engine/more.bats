#!/usr/bin/env bats
# Placeholder for the lead: cp, diff, commit, pause/unpause, top, stats, rename, update, port,
# prune, events, attach, health checks.

load helpers

@test "more: placeholder (cp/diff/commit/pause/top/stats/rename/update/port/prune/events/attach/health)" {
	skip "not yet: the lead fills this file"
}
