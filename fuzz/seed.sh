#!/bin/sh
# Fills fuzz/corpus/<target>/ with the real samples of tests/data (and the inputs that once
# hurt, tests/data/hostile) that each target reads. Run from the repository or fuzz/.
set -eu
cd "$(dirname "$0")"
data=../tests/data
seed() {
    target=$1
    shift
    mkdir -p "corpus/$target"
    for f in "$@"; do
        [ -f "$f" ] && cp "$f" "corpus/$target/"
    done
}
seed raw "$data"/*.cr2 "$data"/*.cr3 "$data"/*.dng "$data"/*.nef "$data"/*.raf "$data"/*.rw2 \
    "$data"/hostile/*.raf "$data"/hostile/slow-tiff-256k.cr2
seed psd "$data"/*.psd "$data"/hostile/*.psd
seed svg "$data"/hostile/*.svg
seed heif_meta "$data"/*.heic
seed jpeg_scans "$data"/hostile/*.jpg "$data"/progressive.jpg
seed jpeg_cutter "$data"/hostile/*.jpg "$data"/progressive.jpg "$data"/xmp/*.jpg
seed xmp "$data"/xmp/*.xmp "$data"/*.dng "$data"/hostile/*.xmp
# The probe's first byte picks the extension: these are the samples without one.
mkdir -p corpus/probe
for f in "$data"/*.cr2 "$data"/*.psd "$data"/*.heic "$data"/hostile/*.svg; do
    case "$f" in
        *.heic) pick=3 ;;
        *.psd) pick=5 ;;
        *.svg) pick=6 ;;
        *) pick=7 ;;
    esac
    { printf "\\$(printf %o "$pick")"; cat "$f"; } > "corpus/probe/$(basename "$f")"
done
