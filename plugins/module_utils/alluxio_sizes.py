# -*- coding: utf-8 -*-
# Copyright: alnair.alluxio contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Alluxio space sizes ("100GB", "62.51GB", "512MB", 1073741824) as bytes.

Alluxio reads sizes with binary units (1KB = 1024 B), case-insensitive, with an
optional decimal part. Everything the collection writes into Alluxio's
configuration is first parsed here, so a typo fails before any host changes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

UNITS = {
    "": 1, "b": 1,
    "k": 1 << 10, "kb": 1 << 10,
    "m": 1 << 20, "mb": 1 << 20,
    "g": 1 << 30, "gb": 1 << 30,
    "t": 1 << 40, "tb": 1 << 40,
    "p": 1 << 50, "pb": 1 << 50,
}
# ASCII digits only ("١٠٠GB" is not a size Alluxio reads), and a bounded length.
_SIZE = re.compile(r"^\s*([0-9]{1,20}(?:\.[0-9]{1,20})?)\s*([a-zA-Z]{0,2})\s*$", re.ASCII)
# Far above any memory or disk a host has: a larger value is a typo (and would overflow Alluxio's long).
MAX_SIZE = 1 << 60


class SizeError(ValueError):
    """A size that Alluxio would not accept, or that makes no sense (zero, negative)."""


def parse_size(value):
    """Return the number of bytes in an Alluxio size; raise SizeError when it is not one."""
    if isinstance(value, bool):
        raise SizeError("%r is not a size" % (value,))
    if isinstance(value, int):
        if value <= 0:
            raise SizeError("size must be positive, got %d" % value)
        if value > MAX_SIZE:
            raise SizeError("size %d is larger than 1EB (%d bytes): a typo?" % (value, MAX_SIZE))
        return value
    text = str(value)
    match = _SIZE.match(text) if len(text) <= 64 else None
    if not match:
        raise SizeError("%r is not a size like 100GB, 62.51GB or 512MB" % (text[:64] + ("..." if len(text) > 64 else ""),))
    number, unit = match.group(1), match.group(2).lower()
    if unit not in UNITS:
        raise SizeError("%r has an unknown unit %r (use B, KB, MB, GB, TB or PB)" % (value, match.group(2)))
    result = int(float(number) * UNITS[unit])
    if result <= 0:
        raise SizeError("size must be positive, got %r" % (value,))
    if result > MAX_SIZE:
        raise SizeError("%r is larger than 1EB: a typo?" % (value,))
    return result


# A tmpfs has whole pages: the kernel rounds its size= up to its page size (62.51GB is
# 67,119,601,418 bytes as written, 67,119,603,712 mounted on 4 KiB pages). 64 KiB is a whole
# number of pages for every page size Linux uses (4, 16 and 64 KiB: x86, arm64, ppc64).
TIER_GRANULE = 64 << 10


def tier_bytes(value):
    """The bytes a worker's MEM tier of this size really has: the size rounded up to TIER_GRANULE.

    The one source for the ramdisk unit's size=, the tier quota Alluxio reports as the worker's
    capacity, the health check of the mounted tmpfs and the capacity gates: all four agree on
    every host whatever its page size. Raises SizeError like parse_size."""
    num_bytes = parse_size(value)
    return -(-num_bytes // TIER_GRANULE) * TIER_GRANULE


def format_size(num_bytes):
    """A short human form of a byte count, in the units Alluxio prints (binary)."""
    for unit in ("PB", "TB", "GB", "MB", "KB"):
        scale = UNITS[unit.lower()]
        if num_bytes >= scale:
            return "%.2f%s" % (num_bytes / scale, unit)
    return "%dB" % num_bytes
