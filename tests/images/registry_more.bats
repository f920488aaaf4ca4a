#!/usr/bin/env bats
# hako pull against registries that are harder to talk to than registry.bats's: https with a
# private CA, Bearer tokens from a token server, and a connection cut in the middle of a
# layer. The peers (docker-registry, a python token server, a python TCP proxy) run on
# 127.0.0.1 from files the test makes in its own directory.

load helpers

setup() {
	registry_setup
}

teardown() {
	common_teardown
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

@test "https with a private CA: a certificate error without the CA, a verified pull with it in certs-dir, over HTTP/2" {
	use_skopeo
	make_certs "$TEST_DIR/pki"
	REGISTRY_ACCESS_LOG=1 start_registry --tls "$TEST_DIR/pki/server.crt" "$TEST_DIR/pki/server.key"
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
	: >"$REGISTRY_DIR/registry.log"
	hako_ok pull "$REGISTRY/test/busybox:1"
	has_line "Status: Downloaded newer image for $REGISTRY/test/busybox:1"
	# Over TLS the client offers HTTP/2 (ALPN) and Go's server takes it: every request hako made
	# (the access log's request lines) went over HTTP/2, none over HTTP/1.1.
	grep -q '"GET /v2/test/busybox/blobs/sha256:[0-9a-f]* HTTP/2.0"' "$REGISTRY_DIR/registry.log" ||
		fail "no blob GET over HTTP/2 in the registry's log: $(grep -o '"[A-Z]* /v2/[^"]*"' "$REGISTRY_DIR/registry.log" | head -5)"
	! grep -q '"[A-Z]* /v2/[^"]* HTTP/1.1"' "$REGISTRY_DIR/registry.log" ||
		fail "hako made HTTP/1.1 requests over TLS: $(grep -o '"[A-Z]* /v2/[^"]* HTTP/1.1"' "$REGISTRY_DIR/registry.log" | head -3)"

	# A CA file means verification even with loopback's default: another CA is refused.
	rm "$HAKO_CONFIG"
	printf '{"certs-dir": "%s"}\n' "$certs" >"$HAKO_CONFIG"
	make_certs "$TEST_DIR/other"
	cp "$TEST_DIR/other/ca.crt" "$certs/$REGISTRY/ca.crt"
	hako pull "$REGISTRY/test/busybox:1"
	[ "$status" -ne 0 ] || fail "pull verified against the wrong CA succeeded"
	[[ "$output" == *certificate* ]] || fail "no certificate error with the wrong CA: $output"
}

@test "Bearer auth with a token server: a token for repository:NAME:pull with the credentials; one line without" {
	use_skopeo
	python3 -c 'import cryptography' 2>/dev/null || skip "python3-cryptography is missing (signs the tokens)"
	local pki=$TEST_DIR/pki
	mkdir -p "$pki"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=hako-test-token \
		-keyout "$pki/token.key" -out "$pki/token.crt" 2>/dev/null || fail "openssl: token key"
	start_bg token python3 "$IMAGES_DIR/token_server.py" "$TEST_DIR/token.port" "$TEST_DIR/token.log" \
		"$pki/token.key" "$pki/token.crt" hako-test-issuer hako-test-registry tester s3cret
	local realm=http://127.0.0.1:$BG_PORT/token
	start_registry --token "$realm" hako-test-registry hako-test-issuer "$pki/token.crt"
	push_test_image "$REGISTRY/test/busybox:1" --dest-creds tester:s3cret
	: >"$TEST_DIR/token.log"

	hako pull "$REGISTRY/test/busybox:1"
	[ "$status" -ne 0 ] || fail "pull without credentials succeeded"
	local err
	err=$(grep '^hako:' <<<"$output")
	[ "$(wc -l <<<"$err")" -eq 1 ] || fail "expected one error line: $output"
	[[ "$err" == *"$REGISTRY"* && "$err" == *"401 Unauthorized"* && "$err" == *"hako login $REGISTRY"* ]] ||
		fail "the error does not name the registry, the 401 and hako login: $err"
	hako_ok images -q
	assert_equal "images after the refused pull" "" "$output"

	# Wrong credentials: the token server's 401, one line.
	mkdir -p "$HOME/.config/hako"
	printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$REGISTRY" "$(printf tester:wrong | base64)" \
		>"$HOME/.config/hako/auth.json"
	hako pull "$REGISTRY/test/busybox:1"
	[ "$status" -ne 0 ] || fail "pull with a wrong password succeeded"
	[ "$(grep -c '^hako:' <<<"$output")" -eq 1 ] || fail "expected one error line: $output"
	[[ "$output" == *401* ]] || fail "the error does not say 401: $output"

	: >"$TEST_DIR/token.log"
	printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$REGISTRY" "$(printf tester:s3cret | base64)" \
		>"$HOME/.config/hako/auth.json"
	hako_ok pull "$REGISTRY/test/busybox:1"
	has_line "Status: Downloaded newer image for $REGISTRY/test/busybox:1"
	hako_ok system check
	grep -q 'unused: 0 blobs, 0 layers' <<<"$output" || fail "the pull left unused blobs or layers"
	jq -e -s 'length >= 1 and all(.[]; .user == "tester" and .query.service == ["hako-test-registry"]
		and .query.scope == ["repository:test/busybox:pull"])' "$TEST_DIR/token.log" >/dev/null ||
		fail "the tokens were not asked for as tester with scope repository:test/busybox:pull: $(cat "$TEST_DIR/token.log")"
	# One token for the whole pull (cached by scope), not one per request.
	[ "$(wc -l <"$TEST_DIR/token.log")" -eq 1 ] || fail "more than one token request: $(cat "$TEST_DIR/token.log")"
}

@test "a connection cut in the middle of a layer: the pull resumes it with a Range request and the store is clean" {
	use_skopeo
	start_registry
	push_test_image "$REGISTRY/test/busybox:1"
	local cut=32768
	start_bg proxy python3 "$IMAGES_DIR/cut_proxy.py" "$TEST_DIR/proxy.port" "$TEST_DIR/proxy.log" \
		"${REGISTRY#*:}" "$cut"
	local via=127.0.0.1:$BG_PORT

	hako_ok pull "$via/test/busybox:1"
	has_line "Status: Downloaded newer image for $via/test/busybox:1"
	local blob
	blob=$(jq -r -s 'map(select(.cut)) | .[0].path // empty' "$TEST_DIR/proxy.log")
	[ -n "$blob" ] || fail "the proxy cut no blob (are the layers smaller than $((2 * cut)) bytes?): $(cat "$TEST_DIR/proxy.log")"
	assert_equal "requests for the cut blob: the whole, then the rest" \
		"$(printf 'null 200\nbytes=%s- 206' "$cut")" \
		"$(jq -r --arg p "$blob" 'select(.method == "GET" and .path == $p) | "\(.range) \(.status)"' "$TEST_DIR/proxy.log")"
	hako_ok system check
	grep -q 'unused: 0 blobs, 0 layers' <<<"$output" || fail "the pull left unused blobs or layers: $output"
	# The image is the registry's, byte for byte: the same id and diff ids as a direct pull.
	local want
	want=$(hako_id_layers "$via/test/busybox:1")
	IMG_ROOT=$TEST_DIR/root2
	hako_ok pull "$REGISTRY/test/busybox:1"
	assert_equal "id and diff ids of a direct pull" "$want" "$(hako_id_layers "$REGISTRY/test/busybox:1")"
}
