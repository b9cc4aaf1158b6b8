#!/bin/sh
# Makes the photo sets the thumbnail benchmark is run on (Debian, as root or with sudo for
# apt-get download; needs dpkg and ImageMagick's `convert`):
#
#   DIR/jpg   72 JPEGs: the 48 distinct photos over 50 KB in Debian's wallpaper packages
#             (0.1–18 MP, 13 of them progressive), and 24 camera-sized ones made from them
#             (8 of 6000×4000, 16 of 4032×3024, quality 92)
#   DIR/webp  the same 72 as WebP (quality 85)
#
# Then: SHOEBOX_BENCH_PHOTOS=DIR/jpg cargo bench --bench thumbs
set -eu
dir=${1:?usage: benches/photos.sh DIR}
mkdir -p "$dir/debs" "$dir/jpg" "$dir/webp"
cd "$dir/debs"
apt-get download lomiri-wallpapers mate-backgrounds plasma-workspace-wallpapers \
    ukui-wallpapers gnome-backgrounds
for deb in *.deb; do dpkg -x "$deb" x; done
# One copy of each distinct photo, named after where it came from.
find x -type f \( -iname '*.jpg' -o -iname '*.jpeg' \) -size +50k -exec md5sum {} + |
    sort | uniq -w32 |
    while read -r _ path; do
        cp "$path" "$dir/jpg/$(echo "${path#x/}" | tr / _)"
    done
# Camera-sized photos from the largest of them.
i=0
ls -S "$dir/jpg" | head -30 | tail -24 | while read -r f; do
    i=$((i + 1))
    if [ "$i" -le 8 ]; then size=6000x4000; else size=4032x3024; fi
    convert "$dir/jpg/$f" -resize "$size^" -gravity center -extent "$size" -quality 92 \
        "$dir/jpg/camera_$i.jpg"
done
for f in "$dir/jpg"/*.jpg; do
    name=$(basename "$f" .jpg)
    convert "$f" -quality 85 "$dir/webp/$name.webp"
done
ls "$dir/jpg" | wc -l
