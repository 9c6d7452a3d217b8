"""A service's memory: large blocks handed back to the system when freed, so loading leaves no high-water mark.

Loading a saved model inflates its files and copies their arrays; the copies are freed at once, but glibc's
allocator raises its threshold for serving large blocks from their own mappings each time such a block is
freed, so later ones come from the heap, where what is freed stays resident. Fixing the threshold at
128 KiB (its initial value) returns every large block as it is freed: the reference's eight models, served,
hold about a fifth less (``benchmarks/saved_sizes.py --serving-only``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

__all__ = ["return_large_blocks"]

logger = logging.getLogger(__name__)

_M_MMAP_THRESHOLD = -3  # mallopt's parameter number in glibc's malloc.h
_THRESHOLD_BYTES = 128 * 1024


def return_large_blocks() -> bool:
    """Have glibc map every block of 128 KiB or more on its own and unmap it when freed (no effect elsewhere).

    Returns
    -------
    bool
        Whether the allocator took the setting (False off Linux or with another C library).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        done = bool(libc.mallopt(_M_MMAP_THRESHOLD, _THRESHOLD_BYTES))
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    logger.debug("Large blocks are returned to the system when freed: %s", done)
    return done
