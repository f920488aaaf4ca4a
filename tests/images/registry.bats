#!/usr/bin/env bats
# hako against a real registry: Debian's docker-registry (distribution 2.8) on 127.0.0.1, one
# per test, filled and read by skopeo 1.9. What is checked is what makes the image the same
# image on both sides: the manifest digest (Docker's RepoDigests), the config digest (the id)
# and the diff ids; and that a failed pull leaves the store as it was. skopeo compresses the
# layers with gzip on the way into the registry, so hako's pull also decompresses.

load helpers

setup() {
	registry_setup
}

teardown() {
	common_teardown
}

@test "hako pull of what skopeo pushed: same id, diff ids and repo digest; Docker's output" {
	use_skopeo
	start_registry
	push_test_image "$REGISTRY/test/busybox:1"
	local digest want
	digest=$(sk_digest "docker://$REGISTRY/test/busybox:1")
	want=$(sk_id_layers "$REGISTRY/test/busybox:1")

	hako_ok pull "$REGISTRY/test/busybox:1"
	has_line "1: Pulling from test/busybox"
	has_line "Digest: $digest"
	has_line "Status: Downloaded newer image for $REGISTRY/test/busybox:1"
	[ "$(tail -n1 <<<"$output")" = "$REGISTRY/test/busybox:1" ] || fail "last line is not the reference"
	[ "$(grep -c ': Pull complete$' <<<"$output")" -eq 2 ] || fail "expected two 'Pull complete' lines"
	assert_equal "id and diff ids" "$want" "$(hako_id_layers "$REGISTRY/test/busybox:1")"
	assert_equal "repo digests" "[\"$REGISTRY/test/busybox@$digest\"]" \
		"$(__hako image inspect --format '{{json .RepoDigests}}' "$REGISTRY/test/busybox:1")"

	hako_ok pull "$REGISTRY/test/busybox:1"
	has_line "Status: Image is up to date for $REGISTRY/test/busybox:1"
	! grep -q 'Pull complete' <<<"$output" || fail "an up-to-date pull downloaded layers"
	hako_ok system check
	grep -q 'unused: 0 blobs, 0 layers' <<<"$output" || fail "the pull left unused blobs or layers"
}

@test "a multi-platform image: the host's manifest by default, --platform picks another, repo digest is the index's" {
	[ "$(uname -m)" = x86_64 ] || skip "the test image's platforms assume an amd64 host"
	use_skopeo
	start_registry
	make_test_archive "$TEST_DIR/src.tar" hako-reg:v1 >/dev/null
	hako_ok load -i "$TEST_DIR/src.tar"
	hako_ok save --format oci -o "$TEST_DIR/oci.tar" hako-reg:v1
	mkdir "$TEST_DIR/layout"
	tar -xf "$TEST_DIR/oci.tar" -C "$TEST_DIR/layout"
	local ids index
	ids=$(python3 "$IMAGES_DIR/make_multiarch.py" "$TEST_DIR/layout")
	run sk copy --all --dest-tls-verify=false "oci:$TEST_DIR/layout:multi" "docker://$REGISTRY/test/multi:1"
	[ "$status" -eq 0 ] || fail "skopeo copy --all failed: $output"
	index=$(sk inspect --tls-verify=false --raw "docker://$REGISTRY/test/multi:1" | sha256sum | cut -d' ' -f1)

	IMG_ROOT=$TEST_DIR/root-amd64
	hako_ok pull "$REGISTRY/test/multi:1"
	has_line "Digest: sha256:$index"
	assert_equal "the amd64 image" "${ids%% *}" "$(__hako image inspect --format '{{.Id}}' "$REGISTRY/test/multi:1")"
	assert_equal "repo digest" "[\"$REGISTRY/test/multi@sha256:$index\"]" \
		"$(__hako image inspect --format '{{json .RepoDigests}}' "$REGISTRY/test/multi:1")"

	IMG_ROOT=$TEST_DIR/root-arm64
	hako_ok pull --platform linux/arm64 "$REGISTRY/test/multi:1"
	assert_equal "the arm64 image" "${ids#* }" "$(__hako image inspect --format '{{.Id}}' "$REGISTRY/test/multi:1")"

	hako pull --platform linux/s390x "$REGISTRY/test/multi:1"
	[ "$status" -ne 0 ]
	[[ "$output" == *"no matching manifest for linux/s390x"* ]] || fail "no clear error for a missing platform"
}

@test "hako pull by digest, and -q" {
	use_skopeo
	start_registry
	push_test_image "$REGISTRY/test/busybox:1"
	local digest want
	digest=$(sk_digest "docker://$REGISTRY/test/busybox:1")
	want=$(sk_id_layers "$REGISTRY/test/busybox:1")
	hako_ok pull -q "$REGISTRY/test/busybox@$digest"
	assert_equal "-q output" "$REGISTRY/test/busybox@$digest" "$output"
	assert_equal "id and diff ids" "$want" "$(hako_id_layers "$REGISTRY/test/busybox@$digest")"
	hako_ok images --format '{{.Repository}} {{.Tag}}'
	assert_equal "an untagged image" "$REGISTRY/test/busybox <none>" "$output"
}

@test "hako pull of an unknown tag: one line naming registry and tag, store unchanged" {
	use_skopeo
	start_registry
	push_test_image "$REGISTRY/test/busybox:1"
	hako pull "$REGISTRY/test/busybox:nope"
	[ "$status" -ne 0 ] || fail "pull of an unknown tag succeeded"
	local err
	err=$(grep '^hako:' <<<"$output")
	[ "$(wc -l <<<"$err")" -eq 1 ] || fail "expected one error line"
	[[ "$err" == *"$REGISTRY/test/busybox:nope"* && "$err" == *"404 Not Found"* ]] ||
		fail "the error does not name the registry, the tag and the 404: $err"
	hako_ok images -q
	assert_equal "images after the failed pull" "" "$output"
	hako_ok system check
	grep -q 'unused: 0 blobs, 0 layers' <<<"$output" || fail "the failed pull left blobs or layers"
}

@test "a pull failing in the middle (a layer the registry lost) leaves no image and no garbage" {
	use_skopeo
	start_registry
	push_test_image "$REGISTRY/test/busybox:1"
	local layer
	layer=$(sk inspect --tls-verify=false --raw "docker://$REGISTRY/test/busybox:1" | jq -r '.layers[1].digest')
	layer=${layer#sha256:}
	rm "$REGISTRY_DIR/data/docker/registry/v2/blobs/sha256/${layer:0:2}/$layer/data"
	hako pull "$REGISTRY/test/busybox:1"
	[ "$status" -ne 0 ] || fail "pull succeeded without one of its layers"
	[[ "$output" == *"sha256:$layer"* ]] || fail "the error does not name the missing layer"
	hako_ok images -q
	assert_equal "images after the failed pull" "" "$output"
	hako_ok system check
	grep -q 'unused: 0 blobs, 0 layers' <<<"$output" || fail "the failed pull left blobs or layers"
}

@test "hako pull from an unreachable registry fails with one line" {
	local port
	port=$(peers_free_port)
	hako pull "127.0.0.1:$port/test/busybox:1"
	[ "$status" -ne 0 ]
	[[ "$output" == *"127.0.0.1:$port"* ]] || fail "the error does not name the registry"
	[ "$(grep -c '^hako:' <<<"$output")" -eq 1 ]
}

@test "hako pull -a pulls every tag" {
	use_skopeo
	start_registry
	push_test_image "$REGISTRY/test/busybox:1"
	run sk copy --src-tls-verify=false --dest-tls-verify=false "docker://$REGISTRY/test/busybox:1" \
		"docker://$REGISTRY/test/busybox:2"
	[ "$status" -eq 0 ] || fail "$output"
	hako_ok pull -a "$REGISTRY/test/busybox"
	hako_ok images --format '{{.Tag}}'
	assert_equal "tags" "$(printf '1\n2')" "$(sort <<<"$output")"
}

@test "a registry with htpasswd auth: 401 without credentials, pull with auth.json or docker's config.json, login/logout" {
	need_peer htpasswd
	use_skopeo
	htpasswd -Bbn tester s3cret >"$TEST_DIR/htpasswd"
	start_registry "$TEST_DIR/htpasswd"
	push_test_image "$REGISTRY/test/busybox:1" --dest-creds tester:s3cret
	local want
	want=$(sk_id_layers "$REGISTRY/test/busybox:1" --creds tester:s3cret)

	hako pull "$REGISTRY/test/busybox:1"
	[ "$status" -ne 0 ] || fail "pull without credentials succeeded"
	[[ "$output" == *"401 Unauthorized"* && "$output" == *"hako login $REGISTRY"* ]] ||
		fail "no 401 with a hint to log in"
	hako_ok images -q
	assert_equal "images after the refused pull" "" "$output"

	# Docker's own file is read.
	mkdir -p "$HOME/.docker"
	printf '{"auths": {"http://%s/v2/": {"auth": "%s"}}}\n' "$REGISTRY" \
		"$(printf tester:s3cret | base64)" >"$HOME/.docker/config.json"
	hako_ok pull "$REGISTRY/test/busybox:1"
	assert_equal "id and diff ids" "$want" "$(hako_id_layers "$REGISTRY/test/busybox:1")"
	rm "$HOME/.docker/config.json"
	hako_ok rmi "$REGISTRY/test/busybox:1"

	# hako login refuses a wrong password and writes nothing.
	run bash -c "echo wrong | '$HAKO' login -u tester --password-stdin '$REGISTRY'"
	[ "$status" -ne 0 ] || fail "login with a wrong password succeeded"
	[ ! -e "$HOME/.config/hako/auth.json" ] || fail "a refused login wrote auth.json"
	run bash -c "echo s3cret | '$HAKO' login -u tester --password-stdin '$REGISTRY'"
	[ "$status" -eq 0 ] || fail "login failed: $output"
	has_line "Login Succeeded"
	[ "$(stat -c %a "$HOME/.config/hako/auth.json")" = 600 ] || fail "auth.json is not 0600"
	hako_ok pull "$REGISTRY/test/busybox:1"
	run "$HAKO" logout "$REGISTRY"
	has_line "Removing login credentials for $REGISTRY"
	hako pull "$REGISTRY/test/busybox:2"
	[ "$status" -ne 0 ]
	[[ "$output" == *"401 Unauthorized"* ]] || fail "pull after logout was not refused with a 401"
}

@test "hako login on a terminal asks for the user name and the password (no echo), as docker login; without one it says what to give" {
	need_peer htpasswd
	htpasswd -Bbn tester s3cret >"$TEST_DIR/htpasswd"
	start_registry "$TEST_DIR/htpasswd"
	local dialog=$BATS_TEST_DIRNAME/../lib/pty_dialog.py
	run python3 "$dialog" --expect "Username: " --send tester --expect "Password: " --send s3cret \
		--expect "Login Succeeded" -- "$HAKO" login "$REGISTRY"
	[ "$status" -eq 0 ] || fail "interactive login failed ($status): $output"
	[[ "$output" != *s3cret* ]] || fail "the password was echoed: $output"
	[[ "$output" == *"Username: tester"* ]] || fail "the user name was not echoed: $output"
	jq -e --arg r "$REGISTRY" '.auths[$r].auth' "$HOME/.config/hako/auth.json" >/dev/null ||
		fail "no credentials stored: $(cat "$HOME/.config/hako/auth.json")"
	# Again: the stored user name is offered; Enter takes it. A wrong password is refused.
	run python3 "$dialog" --expect "Username (tester): " --send "" --expect "Password: " --send wrong \
		-- "$HAKO" login "$REGISTRY"
	[ "$status" -ne 0 ] || fail "a wrong password was accepted: $output"
	# No terminal, no password: one line naming what to give.
	run bash -c "'$HAKO' login -u tester '$REGISTRY' </dev/null"
	[ "$status" -ne 0 ] || fail "login without a password succeeded"
	[[ "$output" == *"without a terminal: give -u and --password-stdin"* ]] || fail "unclear error: $output"
	run bash -c "echo s3cret | '$HAKO' login --password-stdin '$REGISTRY'"
	[ "$status" -ne 0 ] || fail "--password-stdin without -u succeeded"
	[[ "$output" == *"give the user name with -u"* ]] || fail "unclear error: $output"
}

@test "hako push: skopeo reads the same manifest digest, id and diff ids; a second push uploads nothing" {
	use_skopeo
	start_registry
	make_test_archive "$TEST_DIR/src.tar" hako-push:v1 >/dev/null
	hako_ok load -i "$TEST_DIR/src.tar"
	local want manifest
	want=$(hako_id_layers hako-push:v1)
	hako_ok tag hako-push:v1 "$REGISTRY/pushed/app:v1"
	hako_ok push "$REGISTRY/pushed/app:v1"
	has_line "The push refers to repository [$REGISTRY/pushed/app]"
	[ "$(grep -c ': Pushed$' <<<"$output")" -eq 2 ] || fail "expected two layers pushed"
	manifest=$(sed -n 's/^v1: digest: \(sha256:[0-9a-f]*\) size: [0-9]*$/\1/p' <<<"$output")
	[ -n "$manifest" ] || fail "no 'v1: digest: ... size: ...' line"
	assert_equal "the manifest digest skopeo sees" "$manifest" "$(sk_digest "docker://$REGISTRY/pushed/app:v1")"
	assert_equal "the raw manifest's sha256" "${manifest#sha256:}" \
		"$(sk inspect --tls-verify=false --raw "docker://$REGISTRY/pushed/app:v1" | sha256sum | cut -d' ' -f1)"
	assert_equal "id and diff ids skopeo reads" "$want" "$(sk_id_layers "$REGISTRY/pushed/app:v1")"
	assert_equal "the repo digest recorded by the push" "[\"$REGISTRY/pushed/app@$manifest\"]" \
		"$(__hako image inspect --format '{{json .RepoDigests}}' hako-push:v1)"

	hako_ok push "$REGISTRY/pushed/app:v1"
	[ "$(grep -c ': Layer already exists$' <<<"$output")" -eq 2 ] || fail "the second push uploaded again"

	# And back: a fresh store pulls what hako pushed.
	IMG_ROOT=$TEST_DIR/root2
	hako_ok pull "$REGISTRY/pushed/app:v1"
	has_line "Digest: $manifest"
	assert_equal "id and diff ids after the round trip" "$want" "$(hako_id_layers "$REGISTRY/pushed/app:v1")"
}

@test "hako pull and push record Docker's image events: the reference as Actor.ID, its name" {
	use_skopeo
	start_registry
	push_test_image "$REGISTRY/test/ev:1"
	local since
	since=$(date +%s.%N)
	hako_ok pull "$REGISTRY/test/ev:1"
	hako_ok tag "$REGISTRY/test/ev:1" "$REGISTRY/test/ev2:1"
	hako_ok push "$REGISTRY/test/ev2:1"
	local id
	id=$(__hako image inspect --format '{{.Id}}' "$REGISTRY/test/ev:1")
	hako_ok events --since "$since" --until "$(date +%s.%N)" --filter type=image \
		--format '{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}'
	assert_equal "image events" "$(printf '%s\n' "pull $REGISTRY/test/ev:1 $REGISTRY/test/ev" \
		"tag $id $REGISTRY/test/ev2:1" "push $REGISTRY/test/ev2:1 $REGISTRY/test/ev2")" "$output"
	hako_ok events --since "$since" --until "$(date +%s.%N)" --filter "image=$REGISTRY/test/ev2" \
		--format '{{.Action}}'
	assert_equal "image=NAME" "$(printf 'tag\npush')" "$output"
}
