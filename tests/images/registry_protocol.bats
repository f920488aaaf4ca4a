#!/usr/bin/env bats
# The registry protocols beyond a plain pull and push: the token scopes a cross-repository mount
# needs under Bearer auth, OAuth2 identity tokens from hako login, credential helpers for login
# and logout, and tag lists that come in pages. The peers (Debian's docker-registry, the python
# token server with an access list, a python proxy that pages tag lists, a shell credential
# helper) run on 127.0.0.1 from files the test makes in its own directory.

load helpers

setup() {
	registry_setup
}

teardown() {
	common_teardown
}

# start_token_registry [ACL]: the token server (user tester, password s3cret; ACL: see
# token_server.py) and docker-registry trusting its tokens, logging every request; sets
# $TOKEN_LOG besides $REGISTRY.
start_token_registry() {
	python3 -c 'import cryptography' 2>/dev/null || skip "python3-cryptography is missing (signs the tokens)"
	local pki=$TEST_DIR/pki
	mkdir -p "$pki"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=hako-test-token \
		-keyout "$pki/token.key" -out "$pki/token.crt" 2>/dev/null || fail "openssl: token key"
	TOKEN_LOG=$TEST_DIR/token.log
	start_bg token python3 "$IMAGES_DIR/token_server.py" "$TEST_DIR/token.port" "$TOKEN_LOG" \
		"$pki/token.key" "$pki/token.crt" hako-test-issuer hako-test-registry tester s3cret "$@"
	REGISTRY_ACCESS_LOG=1 start_registry --token "http://127.0.0.1:$BG_PORT/token" \
		hako-test-registry hako-test-issuer "$pki/token.crt"
}

# write_auth JSON: $HOME/.config/hako/auth.json.
write_auth() {
	mkdir -p "$HOME/.config/hako"
	printf '%s\n' "$1" >"$HOME/.config/hako/auth.json"
}

# password_auth: auth.json with tester:s3cret for $REGISTRY.
password_auth() {
	write_auth "{\"auths\": {\"$REGISTRY\": {\"auth\": \"$(printf tester:s3cret | base64)\"}}}"
}

# load_test_image REF: the two-layer test image in hako's store as REF.
load_test_image() {
	make_test_archive "$TEST_DIR/src.tar" hako-proto:v1 >/dev/null
	hako_ok load -i "$TEST_DIR/src.tar"
	hako_ok tag hako-proto:v1 "$1"
}

# login_stdin SERVER PASSWORD [ARGS]: hako login -u tester --password-stdin SERVER.
login_stdin() {
	run bash -c "printf '%s\n' '$2' | '$HAKO' login -u tester --password-stdin '$1'"
	echo "hako login $1 (status=$status): $output" >&2
}

# requests METHOD PATH_PREFIX: how many requests the registry logged for METHOD PATH_PREFIX*.
requests() {
	grep -c "\"$1 $2" "$REGISTRY_DIR/registry.log" || true
}

@test "push under Bearer auth mounts from the repository the image came from: one token for both scopes; no pull on it, an upload" {
	printf '{"*": ["pull", "push"]}\n' >"$TEST_DIR/acl.json"
	start_token_registry "$TEST_DIR/acl.json"
	password_auth
	load_test_image "$REGISTRY/test/a:1"
	hako_ok push "$REGISTRY/test/a:1"
	[ "$(grep -c ': Pushed$' <<<"$output")" -eq 2 ] || fail "expected two layers pushed to test/a"

	: >"$TOKEN_LOG"
	hako_ok tag "$REGISTRY/test/a:1" "$REGISTRY/test/b:1"
	hako_ok push "$REGISTRY/test/b:1"
	[ "$(grep -c ': Mounted from test/a$' <<<"$output")" -eq 2 ] || fail "expected two layers mounted from test/a"
	assert_equal "token requests of the push to test/b, with their scopes" \
		'tester ["repository:test/b:pull,push","repository:test/a:pull"]' \
		"$(jq -r '"\(.user) \(.scopes | tojson)"' "$TOKEN_LOG")"
	assert_equal "mounts into test/b (two layers and the config)" 3 \
		"$(requests POST "/v2/test/b/blobs/uploads/?mount=")"
	assert_equal "blob PUTs and PATCHes to test/b" "0 0" \
		"$(requests PUT /v2/test/b/blobs/) $(requests PATCH /v2/test/b/blobs/)"

	# The token service grants nothing on the image's other repositories: the registry refuses
	# the mount (it checks the token's pull on the source), so the blobs are uploaded.
	printf '{"test/c": ["pull", "push"]}\n' >"$TEST_DIR/acl.json"
	hako_ok tag "$REGISTRY/test/a:1" "$REGISTRY/test/c:1"
	hako_ok push "$REGISTRY/test/c:1"
	[ "$(grep -c ': Pushed$' <<<"$output")" -eq 2 ] || fail "expected two layers uploaded to test/c"
	grep -q 'Mounted from' <<<"$output" && fail "a mount without pull access to its source"
	assert_equal "blob PUTs with a digest to test/c (two layers and the config)" 3 \
		"$(grep -c '"PUT /v2/test/c/blobs/uploads/[^ ]*digest=sha256' "$REGISTRY_DIR/registry.log")"
	IMG_ROOT=$TEST_DIR/root2
	hako_ok pull "$REGISTRY/test/c:1"
}

@test "push under Bearer auth to a token service that refuses the whole request when it denies the mount's scope: the push asks again without it and uploads" {
	printf '{"*": ["pull", "push"]}\n' >"$TEST_DIR/acl.json"
	start_token_registry "$TEST_DIR/acl.json" strict
	password_auth
	load_test_image "$REGISTRY/test/a:1"
	hako_ok push "$REGISTRY/test/a:1"

	printf '{"test/d": ["pull", "push"]}\n' >"$TEST_DIR/acl.json"
	: >"$TOKEN_LOG"
	hako_ok tag "$REGISTRY/test/a:1" "$REGISTRY/test/d:1"
	hako_ok push "$REGISTRY/test/d:1"
	[ "$(grep -c ': Pushed$' <<<"$output")" -eq 2 ] || fail "expected two layers uploaded to test/d"
	grep -q 'Mounted from' <<<"$output" && fail "a mount without pull access to its source"
	assert_equal "token requests of the push to test/d: refused with the mount's scope, then granted without" \
		"$(printf '%s\n' '! ["repository:test/d:pull,push","repository:test/a:pull"]' \
			'tester ["repository:test/d:pull,push"]')" \
		"$(jq -r '"\(.user) \(.scopes | tojson)"' "$TOKEN_LOG" | uniq)"
	assert_equal "mount requests to test/d" 0 "$(requests POST "/v2/test/d/blobs/uploads/?mount=")"
	IMG_ROOT=$TEST_DIR/root2
	hako_ok pull "$REGISTRY/test/d:1"
}

@test "login against a token service that gives refresh tokens keeps the identitytoken, not the password; pulls use it alone" {
	start_token_registry
	password_auth
	load_test_image "$REGISTRY/test/busybox:1"
	hako_ok push "$REGISTRY/test/busybox:1"
	rm "$HOME/.config/hako/auth.json"

	: >"$TOKEN_LOG"
	login_stdin "$REGISTRY" s3cret
	[ "$status" -eq 0 ] || fail "login failed"
	has_line "Login Succeeded"
	jq -e -s 'length == 1 and .[0].method == "GET" and .[0].user == "tester"
		and .[0].query.offline_token == ["true"] and .[0].query.client_id == ["hako"]' "$TOKEN_LOG" >/dev/null ||
		fail "login did not ask for an offline token: $(cat "$TOKEN_LOG")"
	local auth=$HOME/.config/hako/auth.json token
	token=$(jq -r --arg r "$REGISTRY" '.auths[$r].identitytoken' "$auth")
	[[ "$token" == rt-* ]] || fail "no identitytoken stored: $(cat "$auth")"
	assert_equal "the stored auth (user, no password)" "tester:" \
		"$(jq -r --arg r "$REGISTRY" '.auths[$r].auth' "$auth" | base64 -d)"
	grep -q s3cret "$auth" && fail "the password was stored: $(cat "$auth")"

	: >"$TOKEN_LOG"
	IMG_ROOT=$TEST_DIR/root2
	hako_ok pull "$REGISTRY/test/busybox:1"
	jq -e -s 'length == 1 and all(.[]; .method == "POST" and .basic == false and .user == "tester"
		and .query.grant_type == ["refresh_token"] and .query.client_id == ["hako"]
		and .scopes == ["repository:test/busybox:pull"])' "$TOKEN_LOG" >/dev/null ||
		fail "the pull did not exchange the identity token with an OAuth2 POST: $(cat "$TOKEN_LOG")"

	# Only the token, no user name: as Docker Desktop writes it.
	write_auth "{\"auths\": {\"$REGISTRY\": {\"identitytoken\": \"$token\"}}}"
	IMG_ROOT=$TEST_DIR/root3
	hako_ok pull "$REGISTRY/test/busybox:1"

	# A token the service does not know: one line naming the registry and what to do.
	write_auth "{\"auths\": {\"$REGISTRY\": {\"identitytoken\": \"rt-unknown\"}}}"
	IMG_ROOT=$TEST_DIR/root4
	hako pull "$REGISTRY/test/busybox:1"
	[ "$status" -ne 0 ] || fail "pull with an unknown identity token succeeded"
	local err
	err=$(grep '^hako:' <<<"$output")
	[ "$(wc -l <<<"$err")" -eq 1 ] || fail "expected one error line: $output"
	[[ "$err" == *"401"* && "$err" == *"hako login $REGISTRY"* ]] ||
		fail "the error does not say 401 and hako login $REGISTRY: $err"
}

# fake_helper: docker-credential-hakotest on PATH, keeping one entry per server in
# $TEST_DIR/creds/ and logging each call ("VERB SERVER") to $TEST_DIR/helper.log.
fake_helper() {
	mkdir -p "$TEST_DIR/bin" "$TEST_DIR/creds"
	cat >"$TEST_DIR/bin/docker-credential-hakotest" <<-EOF
		#!/bin/sh
		dir=$TEST_DIR/creds
		case "\$1" in
		store)
		  input=\$(cat)
		  server=\$(printf '%s' "\$input" | jq -r .ServerURL)
		  printf '%s' "\$input" >"\$dir/\$(printf '%s' "\$server" | tr / _)"
		  ;;
		get | erase)
		  read -r server
		  ;;
		*) echo "unknown verb \$1"; exit 1 ;;
		esac
		echo "\$1 \$server" >>$TEST_DIR/helper.log
		file="\$dir/\$(printf '%s' "\$server" | tr / _)"
		case "\$1" in
		get) [ -f "\$file" ] || { echo "credentials not found in native keychain"; exit 1; }; cat "\$file" ;;
		erase) [ -f "\$file" ] || { echo "credentials not found in native keychain"; exit 1; }; rm "\$file" ;;
		esac
	EOF
	chmod +x "$TEST_DIR/bin/docker-credential-hakotest"
	export PATH=$TEST_DIR/bin:$PATH
}

@test "login and logout through the credential helper credHelpers names: store, get, erase; the auth file untouched" {
	need_peer htpasswd
	htpasswd -Bbn tester s3cret >"$TEST_DIR/htpasswd"
	start_registry "$TEST_DIR/htpasswd"
	fake_helper
	password_auth
	load_test_image "$REGISTRY/test/busybox:1"
	hako_ok push "$REGISTRY/test/busybox:1"
	write_auth "{\"credHelpers\": {\"$REGISTRY\": \"hakotest\"}}"
	local before
	before=$(cat "$HOME/.config/hako/auth.json")

	login_stdin "$REGISTRY" wrong
	[ "$status" -ne 0 ] || fail "login with a wrong password succeeded"
	[ ! -e "$TEST_DIR/helper.log" ] || fail "a refused login reached the helper: $(cat "$TEST_DIR/helper.log")"

	login_stdin "$REGISTRY" s3cret
	[ "$status" -eq 0 ] || fail "login failed"
	has_line "Login Succeeded"
	assert_equal "what the helper was asked to store" \
		"{\"ServerURL\":\"$REGISTRY\",\"Username\":\"tester\",\"Secret\":\"s3cret\"}" \
		"$(jq -c '{ServerURL, Username, Secret}' "$TEST_DIR/creds/$REGISTRY")"
	assert_equal "the auth file after login" "$before" "$(cat "$HOME/.config/hako/auth.json")"

	IMG_ROOT=$TEST_DIR/root2
	hako_ok pull "$REGISTRY/test/busybox:1"

	run "$HAKO" logout "$REGISTRY"
	[ "$status" -eq 0 ] || fail "logout failed: $output"
	has_line "Removing login credentials for $REGISTRY"
	[ ! -e "$TEST_DIR/creds/$REGISTRY" ] || fail "the helper still holds the credentials"
	assert_equal "the auth file after logout" "$before" "$(cat "$HOME/.config/hako/auth.json")"
	assert_equal "the helper's calls" "$(printf 'store %s\nget %s\nerase %s' "$REGISTRY" "$REGISTRY" "$REGISTRY")" \
		"$(cat "$TEST_DIR/helper.log")"
	run "$HAKO" logout "$REGISTRY"
	has_line "Not logged in to $REGISTRY"

	IMG_ROOT=$TEST_DIR/root3
	hako pull "$REGISTRY/test/busybox:1"
	[ "$status" -ne 0 ] || fail "pull after logout succeeded"
	[[ "$output" == *"401 Unauthorized"* ]] || fail "pull after logout was not refused with a 401"

	# A helper that is not on PATH: one line naming it.
	write_auth "{\"credHelpers\": {\"$REGISTRY\": \"nosuchhelper\"}}"
	login_stdin "$REGISTRY" s3cret
	[ "$status" -ne 0 ] || fail "login through a missing helper succeeded"
	[ "$(grep -c '^hako:' <<<"$output")" -eq 1 ] || fail "expected one error line: $output"
	[[ "$output" == *"login $REGISTRY"* && "$output" == *docker-credential-nosuchhelper* ]] ||
		fail "the error does not name the registry and the helper: $output"
}

@test "hako pull -a follows the pages of the tag list (Link rel=next): 120 tags, 50 a page" {
	start_registry
	load_test_image "$REGISTRY/test/many:t000"
	hako_ok push "$REGISTRY/test/many:t000"
	local type i
	curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
		-o "$TEST_DIR/manifest.json" -D "$TEST_DIR/manifest.head" "http://$REGISTRY/v2/test/many/manifests/t000" ||
		fail "GET of the manifest failed"
	type=$(sed -n 's/^Content-Type: *//Ip' "$TEST_DIR/manifest.head" | tr -d '\r')
	for i in $(seq 1 119); do
		curl -sf -X PUT -H "Content-Type: $type" --data-binary @"$TEST_DIR/manifest.json" \
			"http://$REGISTRY/v2/test/many/manifests/t$(printf %03d "$i")" >/dev/null || fail "PUT of tag $i failed"
	done
	start_bg tags python3 "$IMAGES_DIR/tags_proxy.py" "$TEST_DIR/tags.port" "$TEST_DIR/tags.log" \
		"${REGISTRY#*:}" 50
	local via=127.0.0.1:$BG_PORT

	IMG_ROOT=$TEST_DIR/root2
	hako_ok pull -a "$via/test/many"
	assert_equal "tags/list requests (n asked, last, tags answered)" \
		"$(printf '100 null 50\n50 t049 50\n50 t099 20')" \
		"$(jq -r '"\(.n) \(.last) \(.count)"' "$TEST_DIR/tags.log")"
	hako_ok images --format '{{.Tag}}'
	assert_equal "tags pulled" "$(seq -f 't%03g' 0 119)" "$(sort <<<"$output")"
}
