#!/bin/sh
# A long campaign: every target in turn, at the lowest priority, until it has run RUNS inputs
# (default 10 million) or SECONDS seconds (default 3600), whichever comes first, on inputs
# of up to MAX_LEN bytes (default 64 KiB: the readers' structures sit in a file's first
# kilobytes, and small inputs run many times as fast). Each run's
# last lines (inputs run, coverage reached, anything found) go to campaign/<target>.log;
# findings land in artifacts/<target>/. Usage: ./campaign.sh [RUNS] [SECONDS] [TARGET...]
set -u
cd "$(dirname "$0")"
runs=${1:-10000000}
secs=${2:-3600}
shift 2 2>/dev/null || shift $#
targets=${*:-$(cargo +nightly fuzz list)}
./seed.sh
nice -n 19 cargo +nightly fuzz build -s none || exit 1
# The targets run as built here: the sources may change while the campaign runs.
bin=target/$(rustc -vV | sed -n 's/^host: //p')/release
mkdir -p campaign "artifacts"
for t in $targets; do
    started=$(date +%s)
    mkdir -p "artifacts/$t"
    nice -n 19 "$bin/$t" -artifact_prefix="artifacts/$t/" \
        -runs="$runs" -max_total_time="$secs" -max_len="${MAX_LEN:-65536}" \
        -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 "corpus/$t" >"campaign/$t.full.log" 2>&1
    rc=$?
    {
        echo "target $t: exit $rc after $(($(date +%s) - started)) s"
        grep -E '^#[0-9]+[[:space:]]+(DONE|INITED)|^stat::|ERROR|SUMMARY|Test unit written' "campaign/$t.full.log"
    } >"campaign/$t.log"
done
