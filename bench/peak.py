"""Source text for a benchmark's child process: ``peak_mb()``, the process's own peak memory.

VmHWM is this process's own high-water mark; ru_maxrss would carry the parent's (Linux keeps it
across fork and exec, so a big test runner would inflate it). Put ``PEAK_MB`` at the top of the
code a child runs with ``python -c``.
"""

PEAK_MB = """
import resource
def peak_mb():
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""
