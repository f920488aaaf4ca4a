#!/usr/bin/env bats
# The store under hostile input, crashes and scale, and the commands that read and change it
# (images, inspect, history, tag, rmi, prune, import, system df/check, image mount), without any
# peer. Every refusal must be one line, exit non-zero and leave the store as it was.

load helpers

HOSTILE="$IMAGES_DIR/hostile_archive.py"

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# store_is_clean: no image, nothing unused, no crash debris left.
store_is_clean() {
	hako_ok images -q -a
	assert_equal "images" "" "$output"
	hako_ok system check
	grep -q 'unused: 0 blobs, 0 layers' <<<"$output" || fail "garbage left: $output"
	[ -z "$(ls -A "$IMG_ROOT/ingest" 2>/dev/null)" ] || fail "ingest debris: $(ls -A "$IMG_ROOT/ingest")"
	[ -z "$(find "$IMG_ROOT/layers" -maxdepth 1 -name '.*' 2>/dev/null)" ] || fail "layer debris"
}

# one_line_error: $status is non-zero and $output one line naming hako.
one_line_error() {
	[ "$status" -ne 0 ] || fail "expected a failure, got status 0: $output"
	[ "$(grep -c . <<<"$output")" -eq 1 ] || fail "expected one line, got: $output"
	[[ "$output" == "hako: "* ]] || fail "expected a 'hako: ' line, got: $output"
}

@test "hostile and damaged archives are refused with one line; nothing is stored or written outside" {
	make_test_archive "$TEST_DIR/good.tar" good:v1 >/dev/null
	local kind
	for kind in escape-entry escape-layer missing-layer truncated bad-reference diff-mismatch; do
		python3 "$HOSTILE" "$kind" "$TEST_DIR/$kind.tar" "$TEST_DIR/good.tar"
		hako load -i "$TEST_DIR/$kind.tar"
		one_line_error
		echo "$kind: $output" >&2
		store_is_clean
	done
	[ ! -e "$TEST_DIR/escape" ] && [ ! -e "$IMG_ROOT/../escaped" ] && [ ! -e /escaped ] ||
		fail "something was written outside the store"
	# The messages name the problem.
	hako load -i "$TEST_DIR/escape-layer.tar"
	grep -q 'escapes' <<<"$output" || fail "escape not named: $output"
	hako load -i "$TEST_DIR/missing-layer.tar"
	grep -q 'does not contain' <<<"$output" || fail "missing layer not named: $output"
	hako load -i "$TEST_DIR/bad-reference.tar"
	grep -qi 'reference' <<<"$output" || fail "bad reference not named: $output"
	hako load -i "$TEST_DIR/diff-mismatch.tar"
	grep -q 'digest mismatch' <<<"$output" || fail "mismatch not named: $output"
}

@test "kill -9 at any point of a load leaves no half image, and the next command clears the debris" {
	# Five layers of a few MB each, so that a load takes long enough to be cut at many points.
	local src=$TEST_DIR/src i j
	for i in 1 2 3 4 5; do
		mkdir -p "$src/l$i/data$i"
		for j in $(seq 1 40); do
			head -c 100000 /dev/urandom >"$src/l$i/data$i/f$j"
		done
	done
	python3 "$MAKE_ARCHIVE" -o "$TEST_DIR/big.tar" -t crash:v1 "$src"/l1 "$src"/l2 "$src"/l3 "$src"/l4 "$src"/l5
	local want
	want=$(archive_id_layers "$TEST_DIR/big.tar")
	local round delay complete=0 absent=0
	for round in $(seq 1 16); do
		delay=$(awk -v r="$round" 'BEGIN { printf "%.3f", (r % 8) * 0.03 }')
		"$HAKO" --root "$IMG_ROOT" --state "$IMG_STATE" load -i "$TEST_DIR/big.tar" >/dev/null 2>&1 &
		local pid=$!
		sleep "$delay"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		# The next command sees either the whole image or none of it.
		hako_ok images -q --no-trunc
		if [ -n "$output" ]; then
			assert_equal "a visible image is complete" "$want" "$(hako_id_layers crash:v1)"
			complete=$((complete + 1))
			hako_ok rmi crash:v1
		else
			absent=$((absent + 1))
		fi
		hako_ok system check
		grep -q 'unused: 0 blobs, 0 layers' <<<"$output" || fail "round $round: garbage after kill: $output"
		[ -z "$(ls -A "$IMG_ROOT/ingest")" ] || fail "round $round: ingest debris left"
		[ -z "$(find "$IMG_ROOT/layers" -maxdepth 1 -name '.*')" ] || fail "round $round: layer debris left"
	done
	echo "rounds: $complete complete, $absent absent" >&2
	[ "$absent" -gt 0 ] || fail "no kill landed during a load: the test proves nothing"
	hako_ok load -i "$TEST_DIR/big.tar"
	assert_equal "a load after the crashes" "$want" "$(hako_id_layers crash:v1)"
}

@test "an image of 200 layers loads, and its overlay shows every layer" {
	local src=$TEST_DIR/src i
	local layers=()
	for i in $(seq 1 200); do
		mkdir -p "$src/$i/layers"
		echo "$i" >"$src/$i/layers/$i"
		layers+=("$src/$i")
	done
	# A deletion in the top layer, of a file from the bottom one.
	: >"$src/200/layers/.wh.1"
	python3 "$MAKE_ARCHIVE" -o "$TEST_DIR/tall.tar" -t tall:200 "${layers[@]}"
	hako_ok load -i "$TEST_DIR/tall.tar"
	hako_ok image inspect --format '{{len .RootFS.Layers}}' tall:200
	assert_equal "layers" 200 "$output"
	hako_ok image mount tall:200
	local mnt=$output
	defer "__hako image unmount tall:200 >/dev/null 2>&1 || true"
	assert_equal "files visible" 199 "$(ls "$mnt/layers" | wc -l)"
	[ ! -e "$mnt/layers/1" ] || fail "the whiteout in the top layer does not hide layer 1's file"
	assert_equal "a file from layer 150" 150 "$(cat "$mnt/layers/150")"
	touch "$mnt/layers/new" 2>/dev/null && fail "the image mount is writable"
	hako_ok image unmount tall:200
	! grep -q " $mnt " /proc/self/mountinfo || fail "still mounted"
}

@test "images: Docker's table, -q, --digests, --no-trunc, --format, --filter and a REPOSITORY argument" {
	make_test_archive "$TEST_DIR/a.tar" app:v1 >/dev/null
	hako_ok load -i "$TEST_DIR/a.tar"
	hako_ok image default
	local bb=$output
	hako_ok tag app:v1 registry.example:5000/team/app:v2
	hako_ok images
	head -n1 <<<"$output" | grep -qE '^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$' || fail "header: $output"
	grep -qE '^busybox +latest +[0-9a-f]{12} +[0-9]+ years ago +[0-9.]+MB$' <<<"$output" || fail "busybox row: $output"
	grep -qE '^registry.example:5000/team/app +v2 ' <<<"$output" || fail "app:v2 row: $output"
	hako_ok images -q
	assert_equal "unique ids" 2 "$(grep -c . <<<"$output")"
	hako_ok images --no-trunc --format '{{.ID}}' busybox
	assert_equal "full id" "$bb" "$output"
	hako_ok images --format '{{.Repository}}:{{.Tag}}' app
	assert_equal "REPOSITORY argument" "app:v1" "$output"
	hako_ok images --filter 'reference=*/team/*' --format '{{.Tag}}'
	assert_equal "reference filter" "v2" "$output"
	hako_ok images --format json busybox
	jq -e '.Repository == "busybox" and .Tag == "latest"' <<<"$output" >/dev/null || fail "json: $output"
	hako_ok images --format 'table {{.Repository}}\t{{.Size}}' busybox
	head -n1 <<<"$output" | grep -qE '^REPOSITORY +SIZE$' || fail "custom table: $output"
	hako_ok images --digests busybox
	head -n1 <<<"$output" | grep -qE '^REPOSITORY +TAG +DIGEST +IMAGE ID' || fail "digests: $output"
	hako_ok images --filter dangling=true -q
	assert_equal "dangling" "" "$output"
	hako images --filter nonsense=1
	one_line_error
	hako images --format '{{.Nope'
	one_line_error
}

@test "inspect and history show Docker's shapes" {
	hako_ok image default
	local id=$output
	hako_ok image inspect busybox
	jq -e --arg id "$id" '.[0].Id == $id and .[0].RepoTags == ["busybox:latest"] and
		.[0].Config.Cmd == ["sh"] and .[0].Os == "linux" and (.[0].RootFS.Layers | length) == 1 and
		.[0].Size > 1000000' <<<"$output" >/dev/null || fail "inspect: $output"
	hako_ok image inspect --format '{{join .Config.Env ","}}' busybox
	grep -q '^PATH=' <<<"$output" || fail "env: $output"
	hako image inspect busybox nope:1
	[ "$status" -ne 0 ]
	grep -q 'no such image: nope:1' <<<"$output" || fail "missing image not named: $output"
	hako_ok history busybox
	head -n1 <<<"$output" | grep -qE '^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$' || fail "history: $output"
	grep -q "^${id:7:12} " <<<"$output" || fail "history id: $output"
}

@test "rmi: untag one name, refuse an id named in several repositories unless -f, delete by id prefix" {
	hako_ok image default
	local id=$output
	hako_ok tag busybox other/box:1
	hako rmi "${id:7:12}"
	one_line_error
	grep -q 'must be forced' <<<"$output" || fail "conflict: $output"
	hako_ok rmi other/box:1
	assert_equal "untag" "Untagged: other/box:1" "$output"
	hako_ok rmi "${id:7:8}"
	has_line "Untagged: busybox:latest"
	has_line "Deleted: $id"
	store_is_clean
	hako_ok image default
	hako_ok tag busybox other/box:1
	hako_ok rmi -f "$id"
	store_is_clean
	hako rmi nope
	[ "$status" -ne 0 ]
	grep -q 'no such image: nope' <<<"$output" || fail "$output"
}

@test "image prune removes dangling images; -a removes the rest" {
	make_test_archive "$TEST_DIR/a.tar" app:v1 >/dev/null
	hako_ok load -i "$TEST_DIR/a.tar"
	hako_ok image default
	# Moving the tag leaves the first image dangling.
	hako_ok tag busybox app:v1
	hako_ok images --filter dangling=true -q
	assert_equal "one dangling" 1 "$(grep -c . <<<"$output")"
	hako_ok image prune -f
	grep -q '^Deleted: sha256:' <<<"$output" || fail "prune: $output"
	grep -q '^Total reclaimed space: ' <<<"$output" || fail "prune: $output"
	hako_ok images -q
	assert_equal "left" 1 "$(grep -c . <<<"$output")"
	hako_ok image prune -a -f
	store_is_clean
}

@test "import: a rootfs tarball from a file or gzip'd stdin, with --change and --message" {
	busybox_rootfs "$TEST_DIR/rootfs"
	tar -C "$TEST_DIR/rootfs" -cf "$TEST_DIR/rootfs.tar" .
	hako_ok import -c 'CMD ["/bin/sh", "-c", "echo hi"]' -c 'ENV A=1 B="two words"' \
		-c 'EXPOSE 80/tcp' -c 'LABEL team=hako' -c 'WORKDIR /srv' -m "made by a test" \
		"$TEST_DIR/rootfs.tar" imported:v1
	local id=$output
	[[ "$id" == sha256:* ]] || fail "import prints the id: $id"
	hako_ok image inspect --format '{{json .Config.Cmd}} {{json .Config.Env}} {{json .Config.ExposedPorts}} {{.Config.Labels.team}} {{.Config.WorkingDir}} {{.Comment}}' imported:v1
	assert_equal "config" '["/bin/sh","-c","echo hi"] ["A=1","B=two words"] {"80/tcp":{}} hako /srv made by a test' "$output"
	gzip -c "$TEST_DIR/rootfs.tar" | __hako import - imported:gz >/dev/null
	hako_ok image inspect --format '{{json .RootFS.Layers}}' imported:gz
	local layers=$output
	hako_ok image inspect --format '{{json .RootFS.Layers}}' imported:v1
	assert_equal "the same layer from the gzip'd stream" "$layers" "$output"
	hako import -c 'RUN rm -rf /' "$TEST_DIR/rootfs.tar" bad:1
	one_line_error
	hako import "$TEST_DIR/rootfs.tar" 'Bad:Ref'
	one_line_error
}

@test "system df counts shared layers once; system check finds a corrupt blob and --repair removes the image" {
	hako_ok image default
	hako_ok tag busybox copy:1
	hako_ok system df
	grep -qE '^Images +1 +0 +[0-9.]+MB' <<<"$output" || fail "df: $output"
	local layer
	layer=$(__hako image inspect --format '{{index .RootFS.Layers 0}}' busybox)
	local blob=$IMG_ROOT/blobs/sha256/${layer#sha256:}
	chmod u+w "$blob"
	printf 'X' | dd of="$blob" bs=1 seek=1000 conv=notrunc status=none
	hako system check
	[ "$status" -ne 0 ] || fail "a corrupt blob was not found"
	grep -q "problem: blob $layer" <<<"$output" || fail "check: $output"
	hako_ok system check --repair
	hako_ok images -q
	assert_equal "the broken image is gone" "" "$output"
	store_is_clean
}

@test "--root and HAKO_ROOT select the store" {
	hako_ok image default
	run env HAKO_ROOT="$IMG_ROOT" HAKO_STATE="$IMG_STATE" timeout 60 "$HAKO" images -q
	[ "$status" -eq 0 ]
	assert_equal "same store through the environment" 1 "$(grep -c . <<<"$output")"
	run timeout 60 "$HAKO" --root "$TEST_DIR/other" --state "$IMG_STATE" images -q
	[ "$status" -eq 0 ]
	assert_equal "another store is empty" "" "$output"
}

@test "rmi and prune leave an image a container uses; rmi -f only untags it" {
	command -v sqlite3 >/dev/null || need_cap "sqlite3 is not installed (apt-get install sqlite3)"
	hako_ok image default
	local id=$output
	# The engine records its containers in hako.db; until it exists the test does, as it will.
	sqlite3 "$IMG_ROOT/hako.db" "INSERT INTO containers(id, name, image) VALUES ('c0ffee0123456789', 'web', '$id')"
	hako rmi busybox
	one_line_error
	grep -q 'container c0ffee012345 is using its referenced image' <<<"$output" || fail "$output"
	hako rmi "$id"
	one_line_error
	grep -q 'being used by container c0ffee012345' <<<"$output" || fail "$output"
	hako_ok system df
	grep -qE '^Images +1 +1 ' <<<"$output" || fail "df: $output"
	hako_ok image prune -a -f
	hako_ok images -q --no-trunc
	assert_equal "prune keeps the image" "$id" "$output"
	hako_ok rmi -f busybox
	assert_equal "forced: untagged only" "Untagged: busybox:latest" "$output"
	hako_ok images -q --no-trunc
	assert_equal "kept, dangling" "$id" "$output"
	sqlite3 "$IMG_ROOT/hako.db" "DELETE FROM containers"
	hako_ok image prune -f
	store_is_clean
}
