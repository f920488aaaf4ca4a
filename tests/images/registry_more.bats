#!/usr/bin/env bats
# hako pull against registries that are harder to talk to than registry.bats's: https with a
# private CA, Bearer tokens from a token server, and a connection cut in the middle of a
# layer. The peers (docker-registry, a python token server, a python TCP proxy) run on
# 127.0.0.1 from files the test makes in its own directory.

load helpers

setup() {
	common_setup
	export HAKO_CONFIG=$TEST_DIR/hako.json HOME=$TEST_DIR/home
	unset DOCKER_CONFIG
	mkdir -p "$HOME"
}

teardown() {
	common_teardown
}

start_registry() {
	need_peer registry
	registry_start "$@" "$TEST_DIR/registry" || fail "docker-registry did not start"
	defer registry_stop
}

push_test_image() {
	local ref=$1
	shift
	make_test_archive "$TEST_DIR/src.tar" hako-reg:v1 >/dev/null
	run sk copy --dest-tls-verify=false "$@" docker-archive:"$TEST_DIR/src.tar" "docker://$ref"
	[ "$status" -eq 0 ] || fail "skopeo copy to $ref failed: $output"
}

# make_certs DIR: DIR/ca.{key,crt}, a CA; DIR/server.{key,crt}, for IP 127.0.0.1, signed by it.
make_certs() {
	local d=$1
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=hako-test-ca \
		-keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null || fail "openssl: CA"
	openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
		-keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null || fail "openssl: CSR"
	printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$d/ext.cnf"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
		-days 2 -extfile "$d/ext.cnf" -out "$d/server.crt" 2>/dev/null || fail "openssl: sign"
}

@test "https with a private CA: a certificate error without the CA, a verified pull with it in certs-dir" {
	use_skopeo
	make_certs "$TEST_DIR/pki"
	start_registry --tls "$TEST_DIR/pki/server.crt" "$TEST_DIR/pki/server.key"
	push_test_image "$REGISTRY/test/busybox:1"
	local certs=$TEST_DIR/certs.d
	# Loopback is insecure by default (Docker's rule): take it out so the certificate counts.
	printf '{"certs-dir": "%s", "insecure-loopback": false}\n' "$certs" >"$HAKO_CONFIG"

	hako pull "$REGISTRY/test/busybox:1"
	[ "$status" -ne 0 ] || fail "pull without the CA succeeded"
	local err
	err=$(grep '^hako:' <<<"$output")
	[ "$(wc -l <<<"$err")" -eq 1 ] || fail "expected one error line: $output"
	[[ "$err" == *"$REGISTRY"* && "$err" == *certificate* ]] ||
		fail "the error does not name the registry and the certificate: $err"
	[[ "$err" == *"$certs/$REGISTRY/ca.crt"* ]] || fail "the error does not say where the CA goes: $err"
	hako_ok images -q
	assert_equal "images after the refused pull" "" "$output"

	mkdir -p "$certs/$REGISTRY"
	cp "$TEST_DIR/pki/ca.crt" "$certs/$REGISTRY/ca.crt"
	hako_ok pull "$REGISTRY/test/busybox:1"
	has_line "Status: Downloaded newer image for $REGISTRY/test/busybox:1"

	# A CA file means verification even with loopback's default: another CA is refused.
	rm "$HAKO_CONFIG"
	printf '{"certs-dir": "%s"}\n' "$certs" >"$HAKO_CONFIG"
	make_certs "$TEST_DIR/other"
	cp "$TEST_DIR/other/ca.crt" "$certs/$REGISTRY/ca.crt"
	hako pull "$REGISTRY/test/busybox:1"
	[ "$status" -ne 0 ] || fail "pull verified against the wrong CA succeeded"
	[[ "$output" == *certificate* ]] || fail "no certificate error with the wrong CA: $output"
}
