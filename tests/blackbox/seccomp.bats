#!/usr/bin/env bats
# linux.seccomp, checked by the errno the probe's syscalls get inside the container.

# shellcheck source=helpers.bash
load helpers

DOCKER_PROFILE=${DOCKER_PROFILE:-}
CONVERTER="$TESTS_DIR/../bench/seccomp_docker_to_oci.py"

setup() {
	requires seccomp
	common_setup
}

teardown() {
	common_teardown
}

# docker_profile: Docker's default profile in Docker's format: the repo's copy when it exists,
# else the one in the shared specs, else skip.
docker_profile() {
	local candidate
	for candidate in "$DOCKER_PROFILE" "$TESTS_DIR/../src/seccomp/profiles/docker-default.json" \
		"$TESTS_DIR/../../shared/specs/docker-default-seccomp.json" /work/shared/specs/docker-default-seccomp.json; do
		if [ -n "$candidate" ] && [ -f "$candidate" ]; then
			echo "$candidate"
			return 0
		fi
	done
	skip "Docker's default seccomp profile not found (set DOCKER_PROFILE)"
}

# use_docker_profile: linux.seccomp = Docker's profile converted for the bundle's capabilities.
use_docker_profile() {
	local profile
	profile=$(docker_profile)
	"$CONVERTER" "$profile" --config "$BUNDLE/config.json" >"$BUNDLE/config.json.new"
	mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

@test "seccomp: an ERRNO rule makes mkdir fail with EPERM, and the filter is in force" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	set_args /bin/sh -c '/bin/probe syscall mkdir /blocked; /bin/probe syscall mkdirat /blocked2;
		/bin/probe syscall getcwd; /bin/probe caps'
	local id
	id=$(new_id)
	ct_run "$id"
	[ "$status" -eq 0 ]
	has_line syscall.mkdir=EPERM
	has_line syscall.mkdirat=EPERM
	has_line syscall.getcwd=OK
	has_line Seccomp=2
	[ ! -e "$BUNDLE/rootfs/blocked" ]
	[ ! -e "$BUNDLE/rootfs/blocked2" ]
}

@test "seccomp: a custom errnoRet" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 100}]}'
	ct_probe syscall mkdir /blocked
	has_line syscall.mkdir=ENETDOWN
}

@test "seccomp: defaultAction ERRNO with an allow list" {
	local profile
	profile=$(docker_profile)
	# Docker's allow list (its defaultAction is ERRNO), less getcwd and mkdir.
	"$CONVERTER" "$profile" | jq '.syscalls |= map(.names -= ["getcwd", "mkdir", "mkdirat"]
		| select(.names | length > 0)) | {linux: {seccomp: .}}' >"$TEST_DIR/seccomp.json"
	jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO"' "$TEST_DIR/seccomp.json"
	update_config ".linux.seccomp = $(jq -c .linux.seccomp "$TEST_DIR/seccomp.json")"
	set_args /bin/sh -c '/bin/probe syscall getcwd; /bin/probe syscall mkdir /blocked;
		/bin/probe syscall getpid; /bin/probe syscall raw 39'
	local id
	id=$(new_id)
	ct_run "$id"
	[ "$status" -eq 0 ]
	has_line syscall.getcwd=EPERM
	has_line syscall.mkdir=EPERM
	has_line syscall.getpid=OK
	has_line syscall.raw=OK
}

@test "seccomp: argument conditions" {
	# personality(8) is refused, personality(0xffffffff) (a query) is not.
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
		"args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}'
	set_args /bin/sh -c '/bin/probe syscall raw 135 8; /bin/probe syscall raw 135 0xffffffff'
	local id
	id=$(new_id)
	ct_run "$id"
	[ "$status" -eq 0 ]
	[ "$output" = $'syscall.raw=EPERM\nsyscall.raw=OK' ]
}

@test "seccomp: SCMP_ACT_KILL ends the process with SIGSYS" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_KILL"}]}'
	ct_probe syscall getcwd
	# 128 + SIGSYS (31)
	[ "$status" -eq 159 ]
}

@test "seccomp: Docker's default profile (OCI form) blocks unshare without CAP_SYS_ADMIN" {
	# The control: without seccomp, an unprivileged unshare(CLONE_NEWUSER) works.
	ct_probe syscall unshare user
	[ "$status" -eq 0 ]
	has_line syscall.unshare=OK

	use_docker_profile
	set_args /bin/sh -c '/bin/probe syscall unshare user; /bin/probe syscall raw 435 0 0;
		/bin/probe syscall getcwd; /bin/probe syscall mkdir /allowed'
	local id
	id=$(new_id)
	ct_run "$id"
	[ "$status" -eq 0 ]
	has_line syscall.unshare=EPERM
	# clone3 answers ENOSYS, so that libc falls back to clone.
	has_line syscall.raw=ENOSYS
	has_line syscall.getcwd=OK
	has_line syscall.mkdir=OK
}

@test "seccomp: Docker's default profile (OCI form) allows unshare and mount with CAP_SYS_ADMIN" {
	update_config '.process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])'
	use_docker_profile
	mkdir -p "$BUNDLE/rootfs/mnt/t"
	set_args /bin/sh -c '/bin/probe syscall unshare user; /bin/probe syscall mount /mnt/t'
	local id
	id=$(new_id)
	ct_run "$id"
	[ "$status" -eq 0 ]
	has_line syscall.unshare=OK
	has_line syscall.mount=OK
}

@test "seccomp: Docker's profile in Docker's own format (hako)" {
	hako_only "runc and crun take only the OCI form of linux.seccomp"
	local profile
	profile=$(docker_profile)
	update_config ".linux.seccomp = $(jq -c . "$profile")"
	set_args /bin/sh -c '/bin/probe syscall unshare user; /bin/probe syscall mount /tmp; /bin/probe syscall getcwd'
	local id
	id=$(new_id)
	ct_run "$id"
	[ "$status" -eq 0 ]
	has_line syscall.unshare=EPERM
	has_line syscall.mount=EPERM
	has_line syscall.getcwd=OK
}
