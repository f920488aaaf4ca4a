#!/usr/bin/env bats
# hako push beyond one monolithic PUT per blob: blobs mounted from another repository of the
# same registry (the image's repo digest says where it came from), chunked uploads (PATCH with
# Content-Range) above HAKO_PUSH_CHUNK_SIZE, and several blobs in flight at once. Debian's
# docker-registry on 127.0.0.1 logs every request (REGISTRY_ACCESS_LOG=1), which is what tells
# a mount from an upload; skopeo and a fresh hako store read back what was pushed.

load helpers

setup() {
	registry_setup
}

teardown() {
	common_teardown
}

# requests METHOD PATH_PREFIX: how many requests the registry logged for METHOD PATH_PREFIX*.
requests() {
	grep -c "\"$1 $2" "$REGISTRY_DIR/registry.log" || true
}

# round_trip REF WANT: a fresh store pulls REF and finds the id and diff ids WANT.
round_trip() {
	local saved=$IMG_ROOT
	IMG_ROOT=$TEST_DIR/root.$RANDOM
	hako_ok pull "$1"
	assert_equal "id and diff ids pulled back from $1" "$2" "$(hako_id_layers "$1")"
	IMG_ROOT=$saved
}

@test "hako push of a pulled image to another repository mounts its blobs: no blob bytes uploaded" {
	use_skopeo
	REGISTRY_ACCESS_LOG=1 start_registry
	make_test_archive "$TEST_DIR/src.tar" hako-push:v1 >/dev/null
	run sk copy --dest-tls-verify=false docker-archive:"$TEST_DIR/src.tar" "docker://$REGISTRY/test/a:1"
	[ "$status" -eq 0 ] || fail "skopeo copy failed: $output"
	hako_ok pull "$REGISTRY/test/a:1"
	local want manifest
	want=$(hako_id_layers "$REGISTRY/test/a:1")
	hako_ok tag "$REGISTRY/test/a:1" "$REGISTRY/test/b:1"
	hako_ok push "$REGISTRY/test/b:1"
	[ "$(grep -c ': Mounted from test/a$' <<<"$output")" -eq 2 ] || fail "expected two layers mounted from test/a"
	manifest=$(sed -n 's/^1: digest: \(sha256:[0-9a-f]*\) size: [0-9]*$/\1/p' <<<"$output")
	assert_equal "mount requests for test/b (two layers and the config)" 3 \
		"$(requests POST "/v2/test/b/blobs/uploads/?mount=")"
	assert_equal "blob PUTs and PATCHes to test/b" "0 0" \
		"$(requests PUT /v2/test/b/blobs/) $(requests PATCH /v2/test/b/blobs/)"
	assert_equal "the manifest digest skopeo sees in test/b" "$manifest" "$(sk_digest "docker://$REGISTRY/test/b:1")"
	assert_equal "the same manifest as test/a" "$(sk_digest "docker://$REGISTRY/test/a:1")" "$manifest"
	round_trip "$REGISTRY/test/b:1" "$want"
}

@test "hako push: a mount the registry cannot do (blob not in the other repository) falls back to an upload" {
	use_skopeo
	REGISTRY_ACCESS_LOG=1 start_registry
	make_test_archive "$TEST_DIR/src.tar" hako-push:v1 >/dev/null
	run sk copy --dest-tls-verify=false docker-archive:"$TEST_DIR/src.tar" "docker://$REGISTRY/test/a:1"
	[ "$status" -eq 0 ] || fail "skopeo copy failed: $output"
	hako_ok pull "$REGISTRY/test/a:1"
	local want
	want=$(hako_id_layers "$REGISTRY/test/a:1")
	# test/a is gone from the registry; the store still says the image came from there.
	rm -rf "$REGISTRY_DIR/data/docker/registry/v2/repositories/test/a"
	hako_ok tag "$REGISTRY/test/a:1" "$REGISTRY/test/c:1"
	hako_ok push "$REGISTRY/test/c:1"
	[ "$(grep -c ': Pushed$' <<<"$output")" -eq 2 ] || fail "expected two layers pushed"
	assert_equal "blob PUTs with a digest to test/c (two layers and the config)" 3 \
		"$(grep -c '"PUT /v2/test/c/blobs/uploads/[^ ]*digest=sha256' "$REGISTRY_DIR/registry.log")"
	round_trip "$REGISTRY/test/c:1" "$want"
}

@test "hako push above HAKO_PUSH_CHUNK_SIZE uploads in PATCHes with Content-Range; the image is the same" {
	use_skopeo
	REGISTRY_ACCESS_LOG=1 start_registry
	make_test_archive "$TEST_DIR/src.tar" hako-push:v1 >/dev/null
	hako_ok load -i "$TEST_DIR/src.tar"
	local want manifest sizes chunks=0 s
	want=$(hako_id_layers hako-push:v1)
	hako_ok tag hako-push:v1 "$REGISTRY/chunked/app:v1"
	HAKO_PUSH_CHUNK_SIZE=65536 hako_ok push "$REGISTRY/chunked/app:v1"
	[ "$(grep -c ': Pushed$' <<<"$output")" -eq 2 ] || fail "expected two layers pushed"
	manifest=$(sed -n 's/^v1: digest: \(sha256:[0-9a-f]*\) size: [0-9]*$/\1/p' <<<"$output")
	# One PATCH per started 64 KiB of every blob bigger than 64 KiB.
	sizes=$(sk inspect --tls-verify=false --raw "docker://$REGISTRY/chunked/app:v1" | jq -r '.config.size, .layers[].size')
	for s in $sizes; do
		[ "$s" -gt 65536 ] && chunks=$((chunks + (s + 65535) / 65536))
	done
	[ "$chunks" -gt 2 ] || fail "the test image's layers are too small to need chunks ($sizes)"
	assert_equal "PATCHes to chunked/app" "$chunks" "$(requests PATCH /v2/chunked/app/blobs/uploads/)"
	assert_equal "the manifest digest skopeo sees" "$manifest" "$(sk_digest "docker://$REGISTRY/chunked/app:v1")"
	assert_equal "id and diff ids skopeo reads" "$want" "$(sk_id_layers "$REGISTRY/chunked/app:v1")"
	round_trip "$REGISTRY/chunked/app:v1" "$want"
}

@test "hako push: HAKO_PUSH_CHUNK_SIZE that is not a number is refused" {
	make_test_archive "$TEST_DIR/src.tar" hako-push:v1 >/dev/null
	hako_ok load -i "$TEST_DIR/src.tar"
	HAKO_PUSH_CHUNK_SIZE=64k hako push hako-push:v1
	[ "$status" -ne 0 ]
	[[ "$output" == *"HAKO_PUSH_CHUNK_SIZE: not a number of bytes: 64k"* ]] || fail "unexpected: $output"
}
