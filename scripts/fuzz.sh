#!/bin/sh
# Runs every fuzz target in the module briefly (FUZZTIME each, default 2s):
# long enough to catch a parser that panics on its first odd input, short
# enough for every make test. A crash fails the run; go test writes the
# input under the package's testdata/fuzz/, where it becomes a regression
# seed once committed. Fuzz for longer with FUZZTIME=5m make fuzz.
set -eu
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-2s}
go=${GO:-go}

# "dir name" for each func FuzzX(f *testing.F) in a test file.
targets=$(find . -name '*_test.go' -not -path './.*' -not -path '*/testdata/*' -print0 |
  xargs -0 grep -H -E '^func Fuzz[A-Za-z0-9_]*\(\w+ \*testing\.F\)' |
  sed -E 's|^(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\(.*|\1 \2|' | sort)
if [ -z "$targets" ]; then
  echo "fuzz: no fuzz targets found" >&2
  exit 1
fi

failed=""
count=0
start=$(date +%s)
while read -r dir name; do
  count=$((count + 1))
  ok=0
  for attempt in 1 2; do
    if out=$($go test -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" "$dir" 2>&1); then
      ok=1
      break
    fi
    # On a starved machine the fuzzing engine itself can run out of time
    # ("context deadline exceeded") before any input failed: that is not
    # a finding, so the target gets one more try. A crash writes its input
    # under testdata/fuzz/ and fails at once.
    case $out in
      *"Failing input written to"*) break ;;
      *"context deadline exceeded"*) echo "fuzz: $dir $name: the fuzzing engine ran out of time, trying again" ;;
      *) break ;;
    esac
  done
  if [ "$ok" = 0 ]; then
    printf '%s\n' "$out"
    failed="$failed $dir:$name"
  else
    printf 'fuzz ok   %s %s\n' "$dir" "$name"
  fi
done <<EOT
$targets
EOT
echo "fuzz: $count targets, ${fuzztime} each, $(( $(date +%s) - start ))s"
if [ -n "$failed" ]; then
  echo "fuzz: FAIL:$failed" >&2
  exit 1
fi
