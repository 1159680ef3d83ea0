#!/usr/bin/env bash
# scripts/test.sh: install what is missing, build two trees and run every
# test in both, exiting non-zero on any failure:
#   build/       RelWithDebInfo, what scripts/run.sh serves
#   build-asan/  Debug with AddressSanitizer + UBSan (leak checking too)
#   build-clang/ everything built with clang; runs the libFuzzer targets
# The first two run all of ctest: the cmocka unit tests and the node
# integration tests against a private MariaDB (scripts/with-mariadb.sh).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

t0=$SECONDS
jobs=2
# Tests run one more at a time than there are cores: most integration
# files spend their time waiting (on pebble, on timeouts, on a restart).
test_jobs=3
passed=0
failed=0
notes=()

say() {
	echo "test: $*" >&2
}

scripts/deps.sh test || exit 1

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# LeakSanitizer stops the program with a fatal error where ptrace is not
# allowed (some containers, running under strace or gdb). Find out with a
# program that leaks on purpose, and run without leak checks if so.
probe=$(mktemp -d)
printf '#include <stdlib.h>\nvoid *volatile p;\nint\nmain(void)\n{\n\tp = malloc(7);\n\tp = 0;\n\treturn 0;\n}\n' >"$probe/leak.c"
if cc -fsanitize=address -g "$probe/leak.c" -o "$probe/leak" 2>/dev/null; then
	ASAN_OPTIONS=detect_leaks=1 "$probe/leak" >"$probe/out" 2>&1
	if ! grep -q 'ERROR: LeakSanitizer: detected memory leaks' "$probe/out"; then
		export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
		notes+=("LeakSanitizer cannot run here (ptrace restricted?): leak checks OFF")
		say "LeakSanitizer does not work in this environment; running without leak checks:"
		head -n 3 "$probe/out" >&2
	fi
fi
rm -rf "$probe"

# run_tree DIR CMAKE_ARGS...: configure, build, ctest; adds to the counts.
# $ctest_only, when set, picks the tests by label.
run_tree() {
	local dir=$1 log rc total nfail sub
	local pick=()
	shift
	[ -z "${ctest_only:-}" ] || pick=(-L "$ctest_only")
	say "=== $dir: configure and build"
	if ! cmake -S . -B "$dir" -DBLOGD_TESTS=ON "$@" >/dev/null ||
		! cmake --build "$dir" -j"$jobs"; then
		failed=$((failed + 1))
		notes+=("$dir: build failed")
		return
	fi
	say "=== $dir: ctest"
	log=$dir/ctest.log
	ctest --test-dir "$dir" --output-on-failure -j"$test_jobs" "${pick[@]}" 2>&1 |
		tee "$log"
	rc=${PIPESTATUS[0]}
	# "100% tests passed, 0 tests failed out of 12"
	read -r nfail total < <(sed -n \
		's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\1 \2/p' \
		"$log")
	if [ -z "${total:-}" ]; then
		failed=$((failed + 1))
		notes+=("$dir: ctest ran no tests (status $rc)")
		return
	fi
	passed=$((passed + total - nfail))
	# node's test runner ends each TAP run with "# pass N", "# fail N",
	# "# skipped N"... (tests/CMakeLists.txt fails a run that skipped
	# any). ctest.log holds only failed tests' output; LastTest.log all.
	sub=$(awk '$1 == "#" && $2 ~ /^(pass|fail|cancelled|skipped|todo)$/ {
			if (!($2 in n)) k[++nk] = $2
			n[$2] += $3
		}
		END { for (i = 1; i <= nk; i++) printf "%s %d %s", (i > 1 ? "," : ""), n[k[i]], k[i] }' \
		"$dir/Testing/Temporary/LastTest.log")
	[ -z "$sub" ] || notes+=("$dir: node subtests:$sub")
	failed=$((failed + nfail))
	if [ "$rc" -ne 0 ] && [ "$nfail" -eq 0 ]; then
		failed=$((failed + 1))
		notes+=("$dir: ctest exited with status $rc")
	fi
}

run_tree build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBLOGD_SANITIZE=OFF
run_tree build-asan -DCMAKE_BUILD_TYPE=Debug -DBLOGD_SANITIZE=ON
# The whole tree must compile with clang too; its fuzz targets then run
# for BLOGD_FUZZ_SECONDS each.
CC=clang CXX=clang++ ctest_only=fuzz run_tree build-clang \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DBLOGD_FUZZ=ON \
	-DBLOGD_FUZZ_SECONDS="${BLOGD_FUZZ_SECONDS:-20}"

echo
for p in "${notes[@]}"; do
	echo "test: $p"
done
echo "$passed passed, $failed failed (three trees, $((SECONDS - t0)) s)"
[ "$failed" -eq 0 ]
