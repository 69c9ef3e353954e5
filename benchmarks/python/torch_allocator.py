"""The memory allocator of the PyTorch peers: tcmalloc by default, glibc's malloc on request.

PyTorch's CPU tensors come from the C library's allocator. glibc's malloc serves every block above
its mmap threshold (at most 32 MiB) with a fresh mmap and returns it at free, so a tensor of that
size costs a page fault for every 4 KiB page it touches, every time it is created. The small
model's logits and their gradient ([1024, vocab] floats: 37 MB on wikitext-tiny) are such tensors,
created every step; on the 2-vCPU virtual machines of this project a page fault costs about 10
microseconds, and PyTorch's one-process small-model step ran 10 times slower than with tcmalloc,
which keeps freed memory for the next allocation (docs/BENCHMARKS.md, "The PyTorch peers'
allocator"). tcmalloc is the allocator PyTorch's CPU performance guides recommend; trainer.jar needs
none, since ND4J reuses its workspaces' memory.

`ensure()` must run before torch is imported: it re-executes the script with tcmalloc in LD_PRELOAD
(the environment variable LMSHARDS_TORCH_ALLOCATOR=glibc keeps glibc's malloc), and returns the
allocator in use for the script's JSON. Child processes (DDP's spawned workers) inherit it.
"""
import ctypes.util
import os
import sys

ENV = "LMSHARDS_TORCH_ALLOCATOR"
CHOICES = ("tcmalloc", "glibc")
# Debian's libtcmalloc-minimal4 (gperftools) first; the full gperftools library also does
LIBRARIES = ("tcmalloc_minimal", "tcmalloc")


def find_tcmalloc():
    for name in LIBRARIES:
        found = ctypes.util.find_library(name)
        if found:
            return found
    return None


def current():
    """The allocator this process runs with: 'tcmalloc' when LD_PRELOAD has it, else 'glibc'."""
    return "tcmalloc" if "tcmalloc" in os.environ.get("LD_PRELOAD", "") else "glibc"


def ensure():
    """The allocator this process uses ('tcmalloc' or 'glibc'), after re-executing it if needed."""
    choice = os.environ.get(ENV, "tcmalloc")
    if choice not in CHOICES:
        raise SystemExit(f"{ENV}={choice!r}: expected one of {', '.join(CHOICES)}")
    if choice == "glibc" or current() == "tcmalloc":
        return current()
    preload = os.environ.get("LD_PRELOAD", "")
    lib = find_tcmalloc()
    if lib is None:
        raise SystemExit(f"{os.path.basename(sys.argv[0])}: tcmalloc not found (Debian: apt-get install "
                         f"libtcmalloc-minimal4); {ENV}=glibc runs with glibc's malloc, which makes PyTorch's "
                         f"steps that create tensors above 32 MiB several times slower")
    os.environ["LD_PRELOAD"] = lib + (":" + preload if preload else "")
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable] + sys.argv)
    raise AssertionError("unreachable")
