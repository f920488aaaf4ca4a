#!/usr/bin/env bats
# hako load and what it leaves in the store, without any peer: the input forms (file, stdin,
# gzip, docker-archive and OCI layout), what it prints, and refusals that must leave the store
# as it was. Archives come from tests/lib/make_docker_archive.py; their ids are known beforehand.

load helpers

setup() {
	common_setup
	make_test_archive "$TEST_DIR/src.tar" hako-load:v1 >/dev/null
	WANT=$(archive_id_layers "$TEST_DIR/src.tar")
}

teardown() {
	common_teardown
}

@test "load -i FILE prints the tag and keeps the id and diff ids" {
	hako_ok load -i "$TEST_DIR/src.tar"
	has_line "Loaded image: hako-load:v1"
	assert_equal "id and diff ids" "$WANT" "$(hako_id_layers hako-load:v1)"
}

@test "load reads a gzip-compressed archive from stdin" {
	gzip -c "$TEST_DIR/src.tar" >"$TEST_DIR/src.tar.gz"
	run __hako load <"$TEST_DIR/src.tar.gz"
	echo "$output" >&2
	[ "$status" -eq 0 ]
	has_line "Loaded image: hako-load:v1"
	assert_equal "id and diff ids" "$WANT" "$(hako_id_layers hako-load:v1)"
}

@test "load of an untagged archive prints the image id" {
	busybox_rootfs "$TEST_DIR/rootfs"
	local id
	id=$(python3 "$MAKE_ARCHIVE" -o "$TEST_DIR/untagged.tar" "$TEST_DIR/rootfs")
	hako_ok load -i "$TEST_DIR/untagged.tar"
	has_line "Loaded image ID: $id"
	assert_equal "the id" "$id" "$(__hako image inspect --format '{{.Id}}' "$id")"
}

@test "load twice is idempotent: one image, same id" {
	hako_ok load -i "$TEST_DIR/src.tar"
	hako_ok load -i "$TEST_DIR/src.tar"
	has_line "Loaded image: hako-load:v1"
	hako_ok images -q --no-trunc
	assert_equal "images -q --no-trunc" "${WANT%% *}" "$output"
}

@test "load -q prints only what docker load -q prints: the Loaded image lines" {
	hako_ok load -q -i "$TEST_DIR/src.tar"
	assert_equal "output of load -q" "Loaded image: hako-load:v1" "$output"
}

@test "a layer whose content does not match its diff id is refused, and the store stays clean" {
	local bad=$TEST_DIR/bad
	mkdir -p "$bad"
	tar -xf "$TEST_DIR/src.tar" -C "$bad"
	# Flip one byte inside the second layer: its sha256 no longer is the config's diff id.
	local layer
	layer=$(jq -r '.[0].Layers[1]' "$bad/manifest.json")
	printf 'X' | dd of="$bad/$layer" bs=1 seek=600 conv=notrunc status=none
	tar -C "$bad" -cf "$TEST_DIR/bad.tar" .
	hako load -i "$TEST_DIR/bad.tar"
	[ "$status" -ne 0 ] || fail "a corrupt layer was accepted"
	[ -n "$output" ] || fail "expected an error message"
	hako_ok images -q
	assert_equal "images after the refused load" "" "$output"
	hako_ok system check
}

@test "load of something that is not an image archive fails with a message" {
	echo "not an archive" >"$TEST_DIR/junk"
	hako load -i "$TEST_DIR/junk"
	[ "$status" -ne 0 ]
	[ "$(grep -c . <<<"$output")" -ge 1 ] || fail "expected an error message"
	hako load -i "$TEST_DIR/does-not-exist.tar"
	[ "$status" -ne 0 ]
	grep -q 'does-not-exist.tar' <<<"$output" || fail "the error should name the file"
}

@test "an OCI layout made by skopeo loads with the same id" {
	use_skopeo
	sk copy -q docker-archive:"$TEST_DIR/src.tar" oci-archive:"$TEST_DIR/oci.tar":hako-load:v1
	hako_ok load -i "$TEST_DIR/oci.tar"
	local ref
	ref=$(loaded_ref)
	assert_equal "id and diff ids" "$WANT" "$(hako_id_layers "$ref")"
}

@test "tag and rmi: the image stays while a tag names it" {
	hako_ok load -i "$TEST_DIR/src.tar"
	hako_ok tag hako-load:v1 hako-load:other
	assert_equal "id of the new tag" "${WANT%% *}" "$(__hako image inspect --format '{{.Id}}' hako-load:other)"
	hako_ok rmi hako-load:v1
	assert_equal "id after untagging one" "${WANT%% *}" "$(__hako image inspect --format '{{.Id}}' hako-load:other)"
	hako_ok rmi hako-load:other
	hako image inspect hako-load:other
	[ "$status" -ne 0 ] || fail "the image is still there after its last tag was removed"
	hako_ok images -q
	assert_equal "images at the end" "" "$output"
}
