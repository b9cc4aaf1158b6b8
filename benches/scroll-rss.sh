#!/bin/bash
# Memory of the window while scrolling a Gallery from top to bottom (as the README reports):
# runs Shoebox on LIBRARY under a virtual display, scrolls with the mouse wheel, and prints
# the resident memory before, at most during, at the end and after two idle seconds.
#
#   benches/scroll-rss.sh target/release/shoebox LIBRARY [WHEEL_CLICKS]
#
# Needs Xvfb and xdotool. A library of 20,000 photos: e.g. copies of a few real photos, each
# with a byte of its own appended (so each is its own item), imported with
# `shoebox --library LIBRARY import --in-place DIR`.
set -eu
bin=$1
lib=$2
clicks=${3:-9000}
export DISPLAY=${DISPLAY:-:77}
if ! xdotool getdisplaygeometry >/dev/null 2>&1; then
    Xvfb "$DISPLAY" -screen 0 1280x800x24 >/dev/null 2>&1 &
    sleep 1
fi
"$bin" --library "$lib" >/dev/null 2>&1 &
app=$!
trap 'kill $app 2>/dev/null' EXIT
sleep 6
rss() { awk '/VmRSS/{print $2}' "/proc/$app/status"; }
log=$(mktemp)
(while kill -0 "$app" 2>/dev/null; do rss >>"$log"; sleep 0.25; done) &
xdotool mousemove 640 400
sleep 1
# Start at the top (the window remembers where it was), and let it settle.
xdotool click --repeat "$clicks" --delay 1 4
sleep 5
echo "before:       $(rss) kB"
: >"$log"
xdotool click --repeat "$clicks" --delay 2 5
echo "at the end:   $(rss) kB"
echo "at most:      $(sort -n "$log" | tail -1) kB"
sleep 5
echo "after 5 s:    $(rss) kB"
