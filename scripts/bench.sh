#!/usr/bin/env bash
# Benchmarks the plugins side by side with the tools users would pick
# instead, on the same loopback fixtures, and prints a Markdown table (also
# written to .bench/latest.md). `make bench` runs it after `make build`.
#
#   make bench
#   CHECK_SSL_CERT=/path/to/check-ssl-cert make bench    # adds Mackerel's Go check-ssl-cert
#   CHECK_HTTP=/path/to/check-http make bench            # adds Mackerel's Go check-http
#   CHECK_PROCS=/path/to/check-procs make bench          # adds Mackerel's Go check-procs
#   BENCH_ROUNDS=10 BENCH_RUNS=30 make bench             # more samples
#   BENCH_ONLY="http1 journey4" make bench               # only these rows (and the floors)
#
# ADDING ROWS: one line per scenario in define_rows below.
#
#   floor ID -- COMMAND...                   what any process costs here
#   ours  ID -- COMMAND...                   one of our binaries
#   peer  ID vs=OURS_ID -- COMMAND...        a peer tool; the table gives ours/peer
#                                            ratios against our row OURS_ID
#   target "TEXT" wall|rss A B LIMIT         a spec target: metric(A)/metric(B) <= LIMIT
#   target "TEXT" rss-mib A - LIMIT          a spec target: max RSS of A <= LIMIT MiB
#   target "TEXT" wall-max A - LIMIT         a spec target: the slowest run of A takes
#                                            <= LIMIT seconds
#
# Options go between the ID and `--`: runs=N overrides the runs per round
# (slow peers need fewer). Every row runs against the fixtures that
# internal/dev/cmd/fixture starts once for the whole run:
#
#   $CA          root CA file of every TLS endpoint
#   $TLS $PORT   the first TLS endpoint (127.0.0.1:PORT) and its port
#   TLS_ARGS_10  -H ENDPOINT for the first 10 endpoints ("${TLS_ARGS_10[@]}")
#   TLS_ARGS_50  the same for all 50
#   $FAR         a TLS endpoint that answers each connection 20 ms late, as a
#                server across a network would; FAR_ARGS_50 for 50 of them
#   $HTTP_URL    http://127.0.0.1:PORT/health, a small JSON document;
#                $HTTP_PORT its port
#   $STALL       127.0.0.1:PORT that accepts connections and never answers:
#                what a run's deadline must end
#   $JOURNEY     a scenario file: check-http-e2e/README.md's 4-step login journey (form
#                with CSRF token, sign-in, JSON API, sign-out) against the
#                fixture's login app, credentials in E2E_USER/E2E_PASSWORD
#   PIDS         idle child processes (FIXTURE_PROCS of them, cmdline
#                ".../fixture idle"), for process checks
#   $BIN         our binaries; $PLUGINS the Monitoring Plugins folder
#
# A check exits 0-3; the report shows each row's status and first output
# line, so that a row that measured an error path (refused, timed out)
# stands out.
#
# METHOD: rows run in rounds, A B C ... A B C ..., so that a change in the
# machine's load during the run hits every row alike instead of the one that
# happened to run then. Within a round each row runs once under GNU time
# (status, first output line, max RSS; this also warms caches), then
# BENCH_RUNS times under `hyperfine -N` (no shell in between). Wall time is
# the median over every hyperfine run of every round; CPU is the mean
# user+sys that hyperfine reports; max RSS is the median of GNU time's %M,
# which for a script is its largest single process (openssl for
# check_ssl_cert), not the sum. Size is the executable file only: the
# Monitoring Plugins are dynamically linked (libcurl, libssl not counted),
# and check_ssl_cert is a shell script that runs openssl.
#
# TYPICAL FLOORS (2-core AMD EPYC VM, Linux 6.18): /bin/true median 0.8 ms,
# Go hello-world 2.0 ms and 1.8 MiB max RSS. Floors far above these
# (or a load average above the number of cores) mean the machine was busy:
# the script warns, and the ratios are still comparable, the absolute
# times less so.
#
# Needs Debian 12 (installs what is missing with apt-get) and Go. Touches
# loopback only: proxies are unset and every target is 127.0.0.1.
# Literal $NAMEs in single quotes are what the report shows.
# shellcheck disable=SC2016
set -euo pipefail

TYPICAL_TRUE_MS=0.8
TYPICAL_HELLO_MS=2.0
FLOOR_ALARM=3 # warn when a floor row is this many times its typical value

ROUNDS=${BENCH_ROUNDS:-5}
RUNS=${BENCH_RUNS:-20}
FIXTURE_TLS=50
# The process rows are about a busy host: 2,000 idle processes more than
# the machine has of its own.
FIXTURE_PROCS=${FIXTURE_PROCS:-2000}
PLUGINS=/usr/lib/nagios/plugins

cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/bin
OUT=$ROOT/.bench
RAW=$OUT/raw

# No request may leave through a proxy.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost

say() { printf 'bench: %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 1
}

# Each peer faces our row that does the same work: check_http and
# check_curl without -D check the dates but not the chain, so they face
# --no-verify; check_curl -D, check_ssl_cert and Mackerel's check-ssl-cert
# verify against the fixture's CA, as --ca-file does.
define_rows() {
  floor true -- /bin/true
  floor hello-world -- "$HELLO"

  ours tls1 -- "$BIN/check-tls-expiry" -H "$TLS" --ca-file "$CA"
  ours tls1-no-verify -- "$BIN/check-tls-expiry" -H "$TLS" --no-verify
  ours tls10 -- "$BIN/check-tls-expiry" --ca-file "$CA" "${TLS_ARGS_10[@]}"
  ours tls50 -- "$BIN/check-tls-expiry" --ca-file "$CA" "${TLS_ARGS_50[@]}"
  # The same across a 20 ms "network": what concurrency is for.
  ours tls1-far -- "$BIN/check-tls-expiry" -H "$FAR" --ca-file "$CA"
  ours tls50-far -- "$BIN/check-tls-expiry" --ca-file "$CA" "${FAR_ARGS_50[@]}"
  peer check_http vs=tls1-no-verify -- "$PLUGINS/check_http" -S -C 30,14 -H 127.0.0.1 -p "$PORT"
  peer check_curl vs=tls1-no-verify -- "$PLUGINS/check_curl" -S -C 30,14 -H 127.0.0.1 -p "$PORT"
  peer check_curl-verify vs=tls1 -- "$PLUGINS/check_curl" -S -C 30,14 -D --ca-cert "$CA" -H 127.0.0.1 -p "$PORT"
  # --ignore-ocsp: OCSP asks a responder elsewhere; 2 runs a round: it
  # takes seconds.
  peer check_ssl_cert vs=tls1 runs=2 -- "$PLUGINS/check_ssl_cert" -H 127.0.0.1 -p "$PORT" --rootcert-file "$CA" --ignore-ocsp -w 30 -c 14
  if [[ -n ${CHECK_SSL_CERT:-} ]]; then
    [[ -x $CHECK_SSL_CERT ]] || die "CHECK_SSL_CERT=$CHECK_SSL_CERT is not an executable"
    peer check-ssl-cert vs=tls1 -- "$CHECK_SSL_CERT" -H 127.0.0.1 -p "$PORT" --ca-file "$CA"
  fi

  # One GET of a small JSON document, status judged; Mackerel's check-http
  # and check_curl follow redirects like ours, check_http is told to.
  ours http1 -- "$BIN/check-http-e2e" -u "$HTTP_URL"
  # Four requests sharing a cookie jar, values extracted from one into the
  # next: no peer walks a journey, so it faces our one GET.
  ours journey4 -- "$BIN/check-http-e2e" --scenario "$JOURNEY"
  peer check_http-get vs=http1 -- "$PLUGINS/check_http" -I 127.0.0.1 -p "$HTTP_PORT" -u /health -f follow
  peer check_curl-get vs=http1 -- "$PLUGINS/check_curl" -I 127.0.0.1 -p "$HTTP_PORT" -u /health -f follow
  if [[ -n ${CHECK_HTTP:-} ]]; then
    [[ -x $CHECK_HTTP ]] || die "CHECK_HTTP=$CHECK_HTTP is not an executable"
    peer check-http vs=http1 -- "$CHECK_HTTP" -u "$HTTP_URL"
  fi

  # Processes, with FIXTURE_PROCS idle children of the fixture on the
  # host. One group matches the fixture itself; ten groups match it ten
  # ways, to show that the cost follows the host's processes, not the
  # groups. pgrep and check_procs do the same match; Mackerel's
  # check-procs forks ps.
  ours proc1 -- "$BIN/check-process" -p 'fixture -tls'
  ours proc1-name -- "$BIN/check-process" -n fixture -w 100000
  ours proc10 -- "$BIN/check-process" -p 'fixture -tls' -p 'fixture -tls 50' -p 'fixture .*-far' -p 'fixture .*-latency' \
    -p 'fixture .*-days' -p 'fixture .*-procs' -p 'tls [0-9]+ -far' -p 'latency 20ms' -p 'days 10[.]5' -p 'procs [0-9]+'
  peer pgrep vs=proc1 -- pgrep -f 'fixture -tls'
  peer check_procs vs=proc1 -- "$PLUGINS/check_procs" -c 1:1 -a '-tls 50'
  if [[ -n ${CHECK_PROCS:-} ]]; then
    [[ -x $CHECK_PROCS ]] || die "CHECK_PROCS=$CHECK_PROCS is not an executable"
    peer check-procs vs=proc1 -- "$CHECK_PROCS" -p 'fixture -tls'
  fi

  target "TLS, 1 endpoint: wall time at or below Mackerel's check-ssl-cert" wall tls1 check-ssl-cert 1
  target "TLS, 1 endpoint: max RSS at or below Mackerel's check-ssl-cert" rss tls1 check-ssl-cert 1
  target "HTTP, one GET: wall time at or below Mackerel's check-http" wall http1 check-http 1
  target "HTTP, one GET: max RSS at or below Mackerel's check-http" rss http1 check-http 1
  # Without Mackerel's: the ratio between the two peers on such machines.
  target "HTTP, one GET: wall time at most 1.76x Debian's check_http" wall http1 check_http-get 1.76
  target "HTTP, a 4-step journey: wall time under 2x one GET" wall journey4 http1 2
  target "TLS, 50 endpoints in one run: wall time under 3x one endpoint" wall tls50 tls1 3
  target "TLS, 50 endpoints 20 ms away in one run: wall time under 3x one endpoint" wall tls50-far tls1-far 3
  target "Processes, 2,000 idle: wall time at most 0.35x Mackerel's check-procs" wall proc1 check-procs 0.35
  target "Processes, 2,000 idle: max RSS at or below Mackerel's check-procs" rss proc1 check-procs 1
  target "Processes, 2,000 idle: wall time at most 0.38x Debian's check_procs" wall proc1 check_procs 0.38
  target "Processes: ten groups cost less than 1.3x one group" wall proc10 proc1 1.3

  # Deadlines: a peer that accepts and never answers holds each run until
  # its -t 1 ends it. The promise is timeout + 1 s; the tests assert only
  # that the deadline ended the run and what it named, since a machine
  # busy with other work stretches any figure. Here it is measured, and
  # the slowest run counts, not the median.
  ours deadline-tls runs=3 -- "$BIN/check-tls-expiry" -H "$STALL" -t 1
  ours deadline-starttls runs=3 -- "$BIN/check-tls-expiry" -u "smtp://$STALL" -t 1
  if [[ -x $BIN/check-http-e2e ]]; then
    ours deadline-http runs=3 -- "$BIN/check-http-e2e" -u "http://$STALL/" -t 1
  fi
  target "Deadline, TLS handshake stalled: every run with -t 1 ends within 2 s" wall-max deadline-tls - 2
  target "Deadline, STARTTLS greeting stalled: every run with -t 1 ends within 2 s" wall-max deadline-starttls - 2
  target "Deadline, HTTP response stalled: every run with -t 1 ends within 2 s" wall-max deadline-http - 2
}

# mackerel-plugin-app beside the checks doing the same work. Its process
# rows need the fixture's FIXTURE_PROCS idle children (2,000 for the
# target); check-process and check-http-e2e rows run when those binaries
# were built, and are skipped with a note otherwise.
app_rows() {
  # The plugin keeps its CPU state here: hyperfine runs it without a
  # shell, so the variable is exported to every row.
  export MACKEREL_PLUGIN_WORKDIR=$OUT/app-state
  mkdir -p "$MACKEREL_PLUGIN_WORKDIR"
  local groups=(--process 'tls=fixture -tls' --process fixture=name:fixture --process 'idle=fixture idle$')
  ours app-proc3 -- "$BIN/mackerel-plugin-app" "${groups[@]}"
  if [[ -x $BIN/check-process ]]; then
    ours app-proc3-check -- "$BIN/check-process" -p 'fixture -tls' -n fixture -p 'fixture idle$' -w 100000
  else
    WARNINGS+=("no bin/check-process: its row beside app-proc3 was skipped")
  fi
  local procs_row=check-procs
  if [[ -n ${CHECK_PROCS:-} ]] && ! row_index check-procs >/dev/null; then
    [[ -x $CHECK_PROCS ]] || die "CHECK_PROCS=$CHECK_PROCS is not an executable"
    peer check-procs vs=app-proc3 -- "$CHECK_PROCS" -p 'fixture -tls'
  fi
  ours app-tls-http -- "$BIN/mackerel-plugin-app" --ca-file "$CA" --tls "www=$TLS" --http "api=$HTTP_URL"
  # A hung target beside a healthy one: the run prints the healthy one's
  # figures when -t 1 ends it.
  ours deadline-app runs=3 -- "$BIN/mackerel-plugin-app" --ca-file "$CA" --tls "www=$TLS" --tls "stall=$STALL" --http "stall_http=http://$STALL/" -t 1
  target "Deadline, metrics with a hung target: every run with -t 1 ends within 2 s" wall-max deadline-app - 2
  if [[ -x $BIN/check-http-e2e ]]; then
    # The two checks one after the other, as the agent would run them.
    ours app-tls-http-checks -- /bin/sh -c '"$1" -H "$2" --ca-file "$3" && "$4" -u "$5"' sh \
      "$BIN/check-tls-expiry" "$TLS" "$CA" "$BIN/check-http-e2e" "$HTTP_URL"
  else
    WARNINGS+=("no bin/check-http-e2e: the checks' row beside app-tls-http was skipped (tls1 is check-tls-expiry alone)")
  fi

  target "App, 3 process groups, 2,000 idle processes: wall time at most 0.35x Mackerel's check-procs run once" wall app-proc3 "$procs_row" 0.35
  target "App, 3 process groups, 2,000 idle processes: max RSS under 20 MiB" rss-mib app-proc3 - 20
  target "App, 1 TLS + 1 HTTP target: max RSS under 20 MiB" rss-mib app-tls-http - 20
}

# ---------------------------------------------------------------- rows

ROW_ID=() ROW_KIND=() ROW_VS=() ROW_RUNS=() ROW_CMD=()
TARGETS=()

row() {
  local kind=$1 id=$2 vs='' runs=$RUNS
  shift 2
  while [[ $# -gt 0 && $1 != -- ]]; do
    case $1 in
      vs=*) vs=${1#vs=} ;;
      runs=*) runs=${1#runs=} ;;
      *) die "row $id: unknown option $1 (want vs=ID, runs=N, then --)" ;;
    esac
    shift
  done
  [[ $# -gt 1 ]] || die "row $id: no command after --"
  shift
  [[ $kind != peer || -n $vs ]] || die "peer $id: name our row it is compared with (vs=ID)"
  if [[ -n ${BENCH_ONLY:-} && $kind != floor && " $BENCH_ONLY " != *" $id "* ]]; then
    return
  fi
  ROW_ID+=("$id") ROW_KIND+=("$kind") ROW_VS+=("$vs") ROW_RUNS+=("$runs")
  ROW_CMD+=("$(printf '%q ' "$@")")
}
floor() { row floor "$@"; }
ours() { row ours "$@"; }
peer() { row peer "$@"; }
target() { TARGETS+=("$(printf '%q ' "$@")"); }

row_index() {
  local i
  for i in "${!ROW_ID[@]}"; do
    if [[ ${ROW_ID[i]} == "$1" ]]; then
      echo "$i"
      return
    fi
  done
  return 1
}

# ---------------------------------------------------------------- set-up

install_missing() {
  # command or file -> Debian package(s) that provide it
  local -A want=(
    [hyperfine]=hyperfine
    [/usr/bin/time]=time
    [jq]=jq
    [$PLUGINS/check_http]=monitoring-plugins-basic
    # check_curl links liburiparser1, which -standard only recommends.
    [$PLUGINS/check_curl]="monitoring-plugins-standard liburiparser1"
    [$PLUGINS/check_ssl_cert]=monitoring-plugins-contrib
    # check_ssl_cert insists on these before it does anything; they are
    # only Recommends of -contrib.
    [host]=bind9-host
    [openssl]=openssl
    [curl]=curl
    [file]=file
    [bc]=bc
  )
  local what pkgs=() more
  for what in "${!want[@]}"; do
    if [[ $what == /* ]]; then
      [[ -x $what ]] && continue
    else
      command -v "$what" >/dev/null && continue
    fi
    read -ra more <<<"${want[$what]}"
    pkgs+=("${more[@]}")
  done
  [[ ${#pkgs[@]} -eq 0 ]] && return
  command -v apt-get >/dev/null || die "missing: ${pkgs[*]} (install them; this script knows only apt-get)"
  local sudo=()
  [[ $EUID -eq 0 ]] || sudo=(sudo)
  say "installing ${pkgs[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
}

build() {
  mkdir -p "$OUT"
  go build -o "$OUT/fixture" ./internal/dev/cmd/fixture
  # Built like our binaries, so that it shows what the Go runtime alone
  # costs before any plugin code runs.
  printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello, world") }\n' >"$OUT/hello.go"
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$OUT/hello-world" "$OUT/hello.go"
  HELLO=$OUT/hello-world
  [[ -x $BIN/check-tls-expiry ]] || die "no $BIN/check-tls-expiry: run make build (or make bench)"
  [[ -x $BIN/check-process ]] || die "no $BIN/check-process: run make build (or make bench)"
}

fixture_pid=''
cleanup() {
  if [[ -n $fixture_pid ]]; then
    kill -TERM "$fixture_pid" 2>/dev/null || true
    wait "$fixture_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_fixture() {
  # The fixture stops when its stdin closes, so it cannot outlive this
  # script even if the script is killed before its trap runs.
  JOURNEY=$OUT/login.yml
  rm -f "$JOURNEY"
  coproc FIXTURE { exec "$OUT/fixture" -tls "$FIXTURE_TLS" -far 50 -latency 20ms -days 10.5 -procs "$FIXTURE_PROCS" -journey "$JOURNEY"; }
  # Bash forgets FIXTURE_PID once the coprocess ends; the trap must not.
  # shellcheck disable=SC2153
  fixture_pid=$FIXTURE_PID
  local fd=${FIXTURE[0]} key='' value=
  TLS_ALL=() FAR_ALL=() PIDS=() CA='' HTTP_URL='' LOGIN_URL='' STALL=''
  while IFS=' ' read -r -t 30 key value <&"$fd"; do
    case $key in
      ready) break ;;
      ca) CA=$value ;;
      tls) TLS_ALL+=("$value") ;;
      far) FAR_ALL+=("$value") ;;
      login) LOGIN_URL=$value ;;
      stall) STALL=$value ;;
      http)
        HTTP_URL=$value
        HTTP_PORT=${value#http://127.0.0.1:}
        HTTP_PORT=${HTTP_PORT%%/*}
        ;;
      pid) PIDS+=("$value") ;;
    esac
  done
  [[ $key == ready ]] || die "the fixture did not come up"
  [[ -n $STALL ]] || die "the fixture printed no stall endpoint"
  write_journey
  TLS=${TLS_ALL[0]}
  PORT=${TLS##*:}
  FAR=${FAR_ALL[0]}
  TLS_ARGS_10=() TLS_ARGS_50=() FAR_ARGS_50=()
  local i
  for ((i = 0; i < 50; i++)); do
    if ((i < 10)); then TLS_ARGS_10+=(-H "${TLS_ALL[i]}"); fi
    TLS_ARGS_50+=(-H "${TLS_ALL[i]}")
    FAR_ARGS_50+=(-H "${FAR_ALL[i]}")
  done
}

# write_journey checks $JOURNEY: check-http-e2e/README.md's journey, which the
# fixture wrote pointed at its login app (whose account it sets).
write_journey() {
  [[ -n $LOGIN_URL ]] || die "the fixture printed no login app"
  [[ -s $JOURNEY ]] || die "the fixture wrote no journey to $JOURNEY"
  export E2E_USER=e2e-probe E2E_PASSWORD=fixture-password
}

# ---------------------------------------------------------------- measuring

load_warning() {
  local load1 cores
  read -r load1 _ </proc/loadavg
  cores=$(nproc)
  if awk -v l="$load1" -v c="$cores" 'BEGIN { exit !(l > c) }'; then
    WARNINGS+=("load average $load1 above $cores cores $1: the machine was busy")
  fi
}

measure() {
  local r i n=${#ROW_ID[@]}
  rm -rf "$RAW"
  mkdir -p "$RAW"
  for ((r = 1; r <= ROUNDS; r++)); do
    for ((i = 0; i < n; i++)); do
      say "round $r/$ROUNDS: ${ROW_ID[i]}"
      local -a argv
      eval "argv=(${ROW_CMD[i]})"
      local code=0
      /usr/bin/time -f %M -o "$RAW/$i.rss.$r" "${argv[@]}" >"$RAW/$i.out" 2>&1 </dev/null || code=$?
      echo "$code" >"$RAW/$i.code.$r"
      hyperfine -N -i --style none --runs "${ROW_RUNS[i]}" \
        --export-json "$RAW/$i.json.$r" "${ROW_CMD[i]% }" >/dev/null 2>&1 ||
        die "hyperfine failed on ${ROW_ID[i]}: ${ROW_CMD[i]}"
    done
  done
}

# Per-row results, filled by summarise.
WALL=() MAXWALL=() CPU=() RSS=() SIZE=() CODE=() SAID=()

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

summarise() {
  local i
  for i in "${!ROW_ID[@]}"; do
    WALL[i]=$(jq -r '.results[0].times[]' "$RAW/$i".json.* | median)
    MAXWALL[i]=$(jq -r '.results[0].times[]' "$RAW/$i".json.* | sort -g | tail -n1)
    CPU[i]=$(jq -s '[.[].results[0] | {n: (.times | length), c: (.user + .system)}]
      | (map(.n * .c) | add) / (map(.n) | add)' "$RAW/$i".json.*)
    RSS[i]=$(cat "$RAW/$i".rss.* | grep -E '^[0-9]+$' | median)
    CODE[i]=$(sort "$RAW/$i".code.* | uniq | paste -sd/)
    # Perfdata after | is noise here.
    SAID[i]=$(head -n1 "$RAW/$i.out" | cut -d'|' -f1 | cut -c1-160)
    local -a argv
    eval "argv=(${ROW_CMD[i]})"
    SIZE[i]=$(exe_size "${argv[0]}")
    case ${CODE[i]} in
      0 | 1 | 2 | 3) ;;
      *) WARNINGS+=("${ROW_ID[i]} exited ${CODE[i]}: its numbers measure a failure, not a check") ;;
    esac
  done
}

exe_size() {
  local path bytes kind
  path=$(command -v "$1")
  bytes=$(stat -L -c %s "$path")
  if [[ $(head -c2 "$path") == '#!' ]]; then
    kind=' script'
  elif ldd "$path" >/dev/null 2>&1; then
    kind=' dyn'
  else
    kind=''
  fi
  awk -v b="$bytes" -v k="$kind" 'BEGIN {
    if (b < 1048576) printf "%.0f KiB%s", b / 1024, k; else printf "%.1f MiB%s", b / 1048576, k }'
}

floor_warning() {
  local id=$1 typical=$2 i
  i=$(row_index "$id") || return 0
  if awk -v m="${WALL[i]}" -v t="$typical" -v f="$FLOOR_ALARM" 'BEGIN { exit !(m * 1000 > t * f) }'; then
    WARNINGS+=("$id took $(ms "${WALL[i]}") against a typical $typical ms: the machine was busy or slow")
  fi
}

# ---------------------------------------------------------------- report

ms() { awk -v s="$1" 'BEGIN { m = s * 1000; if (m < 10) printf "%.2f ms", m; else if (m < 100) printf "%.1f ms", m; else printf "%.0f ms", m }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { r = a / b; printf (r < 0.1 ? "%.3f" : "%.2f"), r }'; }

status_of() {
  case $1 in
    0) echo OK ;;
    1) echo WARNING ;;
    2) echo CRITICAL ;;
    3) echo UNKNOWN ;;
    *) echo "exit $1" ;;
  esac
}

# shown replaces paths and addresses that change from run to run or machine
# to machine with the names the legend explains, and shortens a long run of
# -H arguments.
shown() {
  local -a argv out=()
  eval "argv=(${ROW_CMD[$1]})"
  local a k j hs=0
  for a in "${argv[@]}"; do
    for k in "${!TLS_ALL[@]}"; do
      if [[ $a == "${TLS_ALL[k]}" ]]; then
        a="\$TLS$((k + 1))"
        break
      fi
      if [[ $a == "${FAR_ALL[k]:-}" ]]; then
        a="\$FAR$((k + 1))"
        break
      fi
    done
    case $a in
      "$CA") a='$CA' ;;
      "$PORT") a='$PORT' ;;
      "$HTTP_URL") a='$HTTP_URL' ;;
      "$STALL") a='$STALL' ;;
      "smtp://$STALL") a='smtp://$STALL' ;;
      "http://$STALL/") a='http://$STALL/' ;;
      "stall=$STALL") a='stall=$STALL' ;;
      "www=$TLS") a='www=$TLS1' ;;
      "stall_http=http://$STALL/") a='stall_http=http://$STALL/' ;;
      "$BIN"/*) a=bin/${a#"$BIN"/} ;;
      "$OUT"/*) a=.bench/${a#"$OUT"/} ;;
      "$PLUGINS"/*) a=${a#"$PLUGINS"/} ;;
      "${CHECK_SSL_CERT:-/}") a='$CHECK_SSL_CERT' ;;
      "${CHECK_HTTP:-/}") a='$CHECK_HTTP' ;;
      "${HTTP_PORT:-/}") a='$HTTP_PORT' ;;
      "${CHECK_PROCS:-/}") a='$CHECK_PROCS' ;;
    esac
    out+=("$a")
  done
  # Collapse -H $TLS1 -H $TLS2 ... -H $TLSn into its ends.
  local -a short=()
  for ((j = 0; j < ${#out[@]}; j++)); do
    hs=0
    while [[ ${out[j + 2 * hs]:-} == -H && ${out[j + 2 * hs + 1]:-} == '$TLS'* || ${out[j + 2 * hs + 1]:-} == '$FAR'* ]]; do ((hs += 1)); done
    if ((hs > 3)); then
      short+=(-H "${out[j + 1]}" … -H "${out[j + 2 * hs - 1]}")
      ((j += 2 * hs - 1))
    else
      short+=("${out[j]}")
    fi
  done
  echo "${short[*]}"
}

machine() {
  local cpu os
  cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  os=$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release 2>/dev/null)
  echo "- Machine: ${cpu:-unknown CPU}, $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)${os:+, $os}"
  echo "- Ours: $("$BIN/check-tls-expiry" --version); $("$BIN/check-process" --version); $FIXTURE_PROCS idle processes besides the machine's $(($(find /proc -maxdepth 1 -name '[0-9]*' | wc -l) - FIXTURE_PROCS))"
  echo "- Go: $(go env GOVERSION); hyperfine $(hyperfine --version | awk '{ print $2 }'); Monitoring Plugins $(dpkg-query -W -f '${Version}' monitoring-plugins-basic 2>/dev/null || echo '?'); check_ssl_cert $("$PLUGINS/check_ssl_cert" --version 2>/dev/null | awk '{ print $NF }')"
  if [[ -n ${CHECK_HTTP:-} ]]; then
    echo "- Mackerel check-http: $(go version -m "$CHECK_HTTP" | awk -F'\t' '
      NR == 1 { sub(/^[^ ]* /, ""); v = $0 }
      $2 == "mod" { m = $3 " " $4 }
      $2 == "build" && $3 ~ /^(CGO_ENABLED|-ldflags|-trimpath)=/ { b = b ", " $3 }
      END { print m ", " v b }')"
  fi
  if [[ -n ${CHECK_SSL_CERT:-} ]]; then
    echo "- Mackerel check-ssl-cert: $(go version -m "$CHECK_SSL_CERT" | awk -F'\t' '
      NR == 1 { sub(/^[^ ]* /, ""); v = $0 }
      $2 == "mod" { m = $3 " " $4 }
      $2 == "build" && $3 ~ /^(CGO_ENABLED|-ldflags|-trimpath|DefaultGODEBUG)=/ { b = b ", " $3 }
      END { print m ", " v b }')"
  fi
  if [[ -n ${CHECK_PROCS:-} ]]; then
    echo "- Mackerel check-procs: $(go version -m "$CHECK_PROCS" | awk -F'\t' '
      NR == 1 { sub(/^[^ ]* /, ""); v = $0 }
      $2 == "mod" { m = $3 " " $4 }
      $2 == "build" && $3 ~ /^(CGO_ENABLED|-ldflags|-trimpath|DefaultGODEBUG)=/ { b = b ", " $3 }
      END { print m ", " v b }')"
  fi
}

command_line() {
  local env=()
  [[ -n ${BENCH_ROUNDS:-} ]] && env+=("BENCH_ROUNDS=$BENCH_ROUNDS")
  [[ -n ${BENCH_RUNS:-} ]] && env+=("BENCH_RUNS=$BENCH_RUNS")
  [[ -n ${BENCH_ONLY:-} ]] && env+=("BENCH_ONLY=\"$BENCH_ONLY\"")
  # The binary's folder is this machine's business; the reader brings
  # their own build.
  [[ -n ${CHECK_SSL_CERT:-} ]] && env+=("CHECK_SSL_CERT=/path/to/check-ssl-cert")
  [[ -n ${CHECK_HTTP:-} ]] && env+=("CHECK_HTTP=/path/to/check-http")
  [[ -n ${CHECK_PROCS:-} ]] && env+=("CHECK_PROCS=/path/to/check-procs")
  local cmd='scripts/bench.sh'
  [[ -n ${MAKELEVEL:-} ]] && cmd='make bench'
  echo "${env[*]}${env[*]:+ }$cmd"
}

report() {
  local i v
  echo "### Results ($(date -u +%Y-%m-%d))"
  echo
  echo "- Command: \`$(command_line)\` (rounds: $ROUNDS; in each, every row once under GNU time, then $RUNS runs under hyperfine, or runs=N where a row sets it)"
  machine
  echo
  echo '| row | kind | status | wall (median) | CPU user+sys | max RSS | size | ours/peer wall | ours/peer RSS |'
  echo '|---|---|---|--:|--:|--:|--:|--:|--:|'
  for i in "${!ROW_ID[@]}"; do
    local rw='' rr='' kind=${ROW_KIND[i]} status
    if [[ -n ${ROW_VS[i]} ]]; then
      v=$(row_index "${ROW_VS[i]}") || die "${ROW_ID[i]}: vs=${ROW_VS[i]} names no row"
      rw=$(ratio "${WALL[v]}" "${WALL[i]}")
      rr=$(ratio "${RSS[v]}" "${RSS[i]}")
      kind="peer (vs ${ROW_VS[i]})"
    fi
    status=$(status_of "${CODE[i]}")
    [[ ${ROW_KIND[i]} == floor ]] && status="exit ${CODE[i]}"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
      "${ROW_ID[i]}" "$kind" "$status" "$(ms "${WALL[i]}")" "$(ms "${CPU[i]}")" \
      "$(mib "${RSS[i]}")" "${SIZE[i]}" "${rw:-—}" "${rr:-—}"
  done
  echo
  echo 'Targets:'
  echo
  local t
  for t in "${TARGETS[@]}"; do
    local -a a
    eval "a=($t)"
    local text=${a[0]} metric=${a[1]} ia ib got verdict
    if [[ $metric == rss-mib ]]; then
      if ! ia=$(row_index "${a[2]}"); then
        echo "- $text: not measured (no ${a[2]} row)"
        continue
      fi
      got=$(awk -v k="${RSS[ia]}" 'BEGIN { printf "%.1f", k / 1024 }')
      verdict=missed
      awk -v g="$got" -v l="${a[4]}" 'BEGIN { exit !(g <= l) }' && verdict=met
      echo "- $text: ${a[2]} = $got MiB (limit ${a[4]} MiB): **$verdict**"
      continue
    fi
    if [[ $metric == wall-max ]]; then
      if ! ia=$(row_index "${a[2]}"); then
        echo "- $text: not measured (no ${a[2]} row)"
        continue
      fi
      got=$(awk -v s="${MAXWALL[ia]}" 'BEGIN { printf "%.2f", s }')
      verdict=missed
      awk -v g="$got" -v l="${a[4]}" 'BEGIN { exit !(g <= l) }' && verdict=met
      echo "- $text: slowest ${a[2]} run = $got s (limit ${a[4]} s): **$verdict**"
      continue
    fi
    if ! ia=$(row_index "${a[2]}") || ! ib=$(row_index "${a[3]}"); then
      echo "- $text: not measured (no ${a[2]} or ${a[3]} row)"
      continue
    fi
    if [[ $metric == rss ]]; then
      got=$(ratio "${RSS[ia]}" "${RSS[ib]}")
    else
      got=$(ratio "${WALL[ia]}" "${WALL[ib]}")
    fi
    verdict=missed
    awk -v g="$got" -v l="${a[4]}" 'BEGIN { exit !(g <= l) }' && verdict=met
    echo "- $text: ${a[2]}/${a[3]} = $got (limit ${a[4]}): **$verdict**"
  done
  if [[ ${#WARNINGS[@]} -gt 0 ]]; then
    echo
    for t in "${WARNINGS[@]}"; do echo "> Warning: $t"; done
  fi
  echo
  echo 'Rows (`$TLSn` is the fixture'"'"'s n-th TLS endpoint, 127.0.0.1:`$PORT` the first; `$FARn` the n-th that answers 20 ms late; `$STALL` a peer that accepts and never answers; `$CA` their root CA; peers run from '"$PLUGINS"'):'
  echo
  for i in "${!ROW_ID[@]}"; do
    local said=${SAID[i]//$STALL/\$STALL}
    said=${said//$TLS/\$TLS1}
    said=${said//$FAR/\$FAR1}
    said=${said//$HTTP_URL/\$HTTP_URL}
    echo "- ${ROW_ID[i]}: \`$(shown "$i")\`${said:+ → \`$said\`}"
  done
}

# ---------------------------------------------------------------- main

WARNINGS=()
install_missing
build
start_fixture
define_rows
app_rows
load_warning "before the run"
measure
load_warning "after the run"
summarise
floor_warning true "$TYPICAL_TRUE_MS"
floor_warning hello-world "$TYPICAL_HELLO_MS"
report | tee "$OUT/latest.md"
for w in "${WARNINGS[@]}"; do say "warning: $w"; done
