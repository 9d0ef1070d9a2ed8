#!/usr/bin/env bash
# Runs netio's UpcallNetTest RUNS times in a row beside HOGS busy-loop CPU hogs (bounded by a timeout) and
# prints each run's result line: a stall shows as a failed run; "rescues" counts the watchdog's rescues.
#   netio/scripts/upcall-stress.sh [RUNS=5] [HOGS=2]
# Reactor builds only, from the repository root; do not run two at once in one worktree.
set -u
RUNS=${1:-5}
HOGS=${2:-2}
cd "$(dirname "$0")/../.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH=$JAVA_HOME/bin:$PATH
hogs=()
for _ in $(seq 1 "$HOGS"); do timeout 1800 sh -c 'while :; do :; done' & hogs+=($!); done
trap 'kill "${hogs[@]}" 2>/dev/null' EXIT
log=$(mktemp -d)
for i in $(seq 1 "$RUNS"); do
  start=$(date +%s)
  mvn -B -o verify -pl netio -am -Dtest=UpcallNetTest -Dsurefire.failIfNoSpecifiedTests=false > "$log/run-$i.log" 2>&1
  rc=$?
  echo "run $i rc $rc $(( $(date +%s) - start )) s, load $(cut -d' ' -f1 /proc/loadavg): $(grep -o 'upcall bridge: .*' "$log/run-$i.log")"
done
echo "logs in $log"
