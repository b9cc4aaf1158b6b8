#!/usr/bin/env python3
"""Writes the console twin of shoebox.exe: the same program marked for the console
subsystem (PE optional header field Subsystem: 2 = window, 3 = console), installed as
shoebox.com. A double-click on shoebox.exe opens no console window; typing `shoebox` in cmd
or PowerShell runs shoebox.com (.COM comes before .EXE in PATHEXT), which the shell waits
for, with its output, input and exit code. Usage: console-twin.py IN.exe OUT.com"""
import struct
import sys

src, dst = sys.argv[1], sys.argv[2]
data = bytearray(open(src, "rb").read())
if data[:2] != b"MZ":
    sys.exit(f"not a Windows program: {src}")
pe = struct.unpack_from("<I", data, 0x3C)[0]
if data[pe : pe + 4] != b"PE\0\0":
    sys.exit(f"no PE header: {src}")
optional = pe + 24
magic = struct.unpack_from("<H", data, optional)[0]
if magic not in (0x10B, 0x20B):
    sys.exit(f"unknown optional header {magic:#x}: {src}")
subsystem = optional + 68
struct.pack_into("<H", data, subsystem, 3)
# The checksum is not checked for programs (only for drivers): left as it is.
open(dst, "wb").write(data)
