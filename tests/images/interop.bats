#!/usr/bin/env bats
# Interoperability: archives go between hako and the real peers (Debian's dockerd and docker
# 20.10, podman 4.3, skopeo 1.9) and keep what makes an image that image: its id (the config's
# digest) and its layers' diff ids (the digests of the uncompressed layer tars). One private
# dockerd serves the whole file; podman and skopeo get a private store per test. Images are made
# without a registry: tests/lib/make_docker_archive.py (two layers: busybox, then a file, a hard
# link, a symlink, an empty directory and a whiteout), or `docker import` of a busybox tree.

load helpers

setup_file() {
	load helpers
	start_file_dockerd
}

teardown_file() {
	stop_file_dockerd
}

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# docker_round_trip REF: REF (in the file's dockerd) through `docker save` -> `hako load` ->
# `hako save` -> `docker load`; the id and diff ids must stay those docker had at the start.
docker_round_trip() {
	local ref=$1 want
	want=$(dk image inspect --format "$ID_LAYERS" "$ref")
	dk save -o "$TEST_DIR/docker.tar" "$ref"

	hako_ok load -i "$TEST_DIR/docker.tar"
	has_line "Loaded image: $ref"
	assert_equal "hako's id and diff ids after loading docker's archive" "$want" "$(hako_id_layers "$ref")"

	hako_ok save -o "$TEST_DIR/hako.tar" "$ref"
	assert_equal "id and diff ids of hako's archive" "$want" "$(archive_id_layers "$TEST_DIR/hako.tar")"
	archive_info "$TEST_DIR/hako.tar" | jq -e --arg ref "$ref" '.images[0].tags == [$ref]' >/dev/null ||
		fail "hako's archive does not tag the image $ref: $(archive_info "$TEST_DIR/hako.tar")"

	dk rmi "$ref" >/dev/null
	run dk load -i "$TEST_DIR/hako.tar"
	echo "docker load (status=$status): $output" >&2
	[ "$status" -eq 0 ]
	has_line "Loaded image: $ref"
	assert_equal "docker's id and diff ids after the round trip" "$want" \
		"$(dk image inspect --format "$ID_LAYERS" "$ref")"
}

@test "docker save -> hako load -> hako save -> docker load keeps the image id and diff ids" {
	need_dockerd
	make_test_archive "$TEST_DIR/src.tar" hako-interop-rt:v1 >/dev/null
	dk load -i "$TEST_DIR/src.tar" >/dev/null
	defer "dk rmi -f hako-interop-rt:v1 >/dev/null 2>&1"
	docker_round_trip hako-interop-rt:v1
}

@test "an image docker made itself (docker import, docker's config) round-trips through hako" {
	need_dockerd
	busybox_rootfs "$TEST_DIR/rootfs"
	tar -C "$TEST_DIR/rootfs" -cf "$TEST_DIR/rootfs.tar" .
	dk import --change 'CMD ["/bin/sh"]' --change 'ENV HAKO_TEST=1' "$TEST_DIR/rootfs.tar" \
		hako-interop-import:v1 >/dev/null
	defer "dk rmi -f hako-interop-import:v1 >/dev/null 2>&1"
	docker_round_trip hako-interop-import:v1
}

@test "hako save of two images writes one archive docker load takes both from" {
	need_dockerd
	make_test_archive "$TEST_DIR/a.tar" hako-interop-two:a >/dev/null
	busybox_rootfs "$TEST_DIR/rootfs"
	python3 "$MAKE_ARCHIVE" -o "$TEST_DIR/b.tar" -t hako-interop-two:b --cmd /bin/true "$TEST_DIR/rootfs" >/dev/null
	hako_ok load -i "$TEST_DIR/a.tar"
	hako_ok load -i "$TEST_DIR/b.tar"
	hako_ok save -o "$TEST_DIR/both.tar" hako-interop-two:a hako-interop-two:b
	defer "dk rmi -f hako-interop-two:a hako-interop-two:b >/dev/null 2>&1"
	run dk load -i "$TEST_DIR/both.tar"
	echo "docker load (status=$status): $output" >&2
	[ "$status" -eq 0 ]
	has_line "Loaded image: hako-interop-two:a"
	has_line "Loaded image: hako-interop-two:b"
	assert_equal "image a" "$(archive_id_layers "$TEST_DIR/a.tar")" \
		"$(dk image inspect --format "$ID_LAYERS" hako-interop-two:a)"
	assert_equal "image b" "$(archive_id_layers "$TEST_DIR/b.tar")" \
		"$(dk image inspect --format "$ID_LAYERS" hako-interop-two:b)"
}

@test "skopeo docker-archive -> oci-archive -> hako load -> hako save --format oci -> skopeo keeps the digests" {
	use_skopeo
	make_test_archive "$TEST_DIR/src.tar" hako-interop-oci:v1 >/dev/null
	local want
	want=$(archive_id_layers "$TEST_DIR/src.tar")
	sk copy -q docker-archive:"$TEST_DIR/src.tar" oci-archive:"$TEST_DIR/skopeo-oci.tar":hako-interop-oci:v1
	# The premise: skopeo keeps make_docker_archive.py's config bytes (its key order is the one
	# containers/image writes) and compresses the layers, so only the layer digests change.
	assert_equal "skopeo's OCI copy" "$want" "$(archive_id_layers "$TEST_DIR/skopeo-oci.tar")"

	hako_ok load -i "$TEST_DIR/skopeo-oci.tar"
	local ref
	ref=$(loaded_ref)
	assert_equal "hako's id and diff ids after loading the OCI archive" "$want" "$(hako_id_layers "$ref")"

	hako_ok save --format oci -o "$TEST_DIR/hako-oci.tar" "$ref"
	[ "$(archive_info "$TEST_DIR/hako-oci.tar" | jq -r .format)" = oci ] ||
		fail "hako save --format oci did not write an OCI layout"
	assert_equal "hako's OCI archive" "$want" "$(archive_id_layers "$TEST_DIR/hako-oci.tar")"
	run sk inspect --raw oci-archive:"$TEST_DIR/hako-oci.tar"
	[ "$status" -eq 0 ] || fail "skopeo cannot read hako's OCI archive: $output"
	assert_equal "the config digest skopeo reads" "${want%% *}" "$(jq -r .config.digest <<<"$output")"

	# Back to docker's form through skopeo, from hako's archive and from skopeo's own: the same.
	sk copy -q oci-archive:"$TEST_DIR/hako-oci.tar" docker-archive:"$TEST_DIR/back.tar":hako-interop-oci:back
	sk copy -q oci-archive:"$TEST_DIR/skopeo-oci.tar" docker-archive:"$TEST_DIR/ref.tar":hako-interop-oci:back
	local back ref_layers
	back=$(sk inspect docker-archive:"$TEST_DIR/back.tar" | jq -c .Layers)
	ref_layers=$(sk inspect docker-archive:"$TEST_DIR/ref.tar" | jq -c .Layers)
	assert_equal "the layers skopeo reads back" "$ref_layers" "$back"
	assert_equal "the diff ids" "$(jq -c .rootfs.diff_ids < <(sk inspect --config docker-archive:"$TEST_DIR/ref.tar"))" \
		"$(jq -c .rootfs.diff_ids < <(sk inspect --config docker-archive:"$TEST_DIR/back.tar"))"
	assert_equal "the config digest after skopeo's conversion back" \
		"$(sk inspect --raw docker-archive:"$TEST_DIR/ref.tar" | jq -r .config.digest)" \
		"$(sk inspect --raw docker-archive:"$TEST_DIR/back.tar" | jq -r .config.digest)"
	assert_equal "the id after the whole trip" "${want%% *}" \
		"$(sk inspect --raw docker-archive:"$TEST_DIR/back.tar" | jq -r .config.digest)"
}

@test "skopeo inspect reads hako's docker-archive: its config digest and diff ids" {
	use_skopeo
	make_test_archive "$TEST_DIR/src.tar" hako-interop-sk:v1 >/dev/null
	local want
	want=$(archive_id_layers "$TEST_DIR/src.tar")
	hako_ok load -i "$TEST_DIR/src.tar"
	hako_ok save -o "$TEST_DIR/hako.tar" hako-interop-sk:v1
	run sk inspect docker-archive:"$TEST_DIR/hako.tar"
	[ "$status" -eq 0 ] || fail "skopeo cannot inspect hako's archive: $output"
	assert_equal "the layers skopeo lists" "${want#* }" "$(jq -c .Layers <<<"$output")"
	assert_equal "the config digest skopeo reads" "${want%% *}" \
		"$(sk inspect --raw docker-archive:"$TEST_DIR/hako.tar" | jq -r .config.digest)"
	assert_equal "the diff ids of the config skopeo reads" "${want#* }" \
		"$(sk inspect --config docker-archive:"$TEST_DIR/hako.tar" | jq -c .rootfs.diff_ids)"
}

# podman_load_keeps_id FORMAT: hako save --format FORMAT, then podman load; same id, diff ids.
podman_load_keeps_id() {
	local format=$1 want
	use_podman
	make_test_archive "$TEST_DIR/src.tar" hako-interop-pm:v1 >/dev/null
	want=$(archive_id_layers "$TEST_DIR/src.tar")
	hako_ok load -i "$TEST_DIR/src.tar"
	hako_ok save --format "$format" -o "$TEST_DIR/hako.tar" hako-interop-pm:v1
	run pm load -q -i "$TEST_DIR/hako.tar"
	echo "podman load (status=$status): $output" >&2
	[ "$status" -eq 0 ]
	# podman's ids have no "sha256:"; its inspect is docker's otherwise.
	run pm image inspect --format "$ID_LAYERS" "${want%% *}"
	[ "$status" -eq 0 ] || fail "podman does not have the image ${want%% *} after loading: $output"
	assert_equal "podman's id and diff ids" "$want" "sha256:$output"
	if [ "$format" = docker-archive ]; then
		pm image exists localhost/hako-interop-pm:v1 || fail "podman did not keep the tag hako-interop-pm:v1"
	fi
}

@test "podman load of hako save (docker-archive) keeps the image id and diff ids" {
	podman_load_keeps_id docker-archive
}

@test "podman load of hako save --format oci keeps the image id and diff ids" {
	podman_load_keeps_id oci
}

@test "hako image default: the same busybox:latest in every store, loadable by docker and podman" {
	need_dockerd
	use_podman
	hako_ok image default
	local want
	want=$(hako_id_layers busybox:latest)
	# Reproducible: a second, fresh store gets the same image.
	local first_root=$IMG_ROOT first_state=$IMG_STATE
	IMG_ROOT=$TEST_DIR/root2 IMG_STATE=$TEST_DIR/state2
	hako_ok image default
	assert_equal "the default image in a second store" "$want" "$(hako_id_layers busybox:latest)"
	IMG_ROOT=$first_root IMG_STATE=$first_state

	hako_ok save -o "$TEST_DIR/default.tar" busybox:latest
	dk tag busybox:latest hako-interop-saved-busybox:before >/dev/null 2>&1 &&
		defer "dk tag hako-interop-saved-busybox:before busybox:latest >/dev/null 2>&1; dk rmi hako-interop-saved-busybox:before >/dev/null 2>&1"
	defer "dk rmi -f busybox:latest >/dev/null 2>&1"
	run dk load -i "$TEST_DIR/default.tar"
	[ "$status" -eq 0 ] || fail "docker load of hako's busybox failed: $output"
	assert_equal "docker's id and diff ids" "$want" "$(dk image inspect --format "$ID_LAYERS" busybox:latest)"
	run pm load -q -i "$TEST_DIR/default.tar"
	[ "$status" -eq 0 ] || fail "podman load of hako's busybox failed: $output"
	assert_equal "podman's id and diff ids" "$want" "sha256:$(pm image inspect --format "$ID_LAYERS" "${want%% *}")"
}
