"""Loads every shard of one split with numpy (mmap_mode='r') and prints what it sees as JSON.

Usage: python3 read_shards.py DATASET_DIR SPLIT [DATASET_DIR SPLIT ...]
Prints one JSON object per line and dataset. Used by NumpyInteropTest to compare numpy's view of the files with the Java reader's.
"""
import json
import os
import sys

import numpy as np


def main():
    args = sys.argv[1:]
    for i in range(0, len(args), 2):
        view(args[i], args[i + 1])


def view(dataset, split):
    split_dir = os.path.join(dataset, split)
    with open(os.path.join(split_dir, "meta.json"), encoding="utf-8") as f:
        meta = json.load(f)
    shards = []
    for s in meta["shards"]:
        path = os.path.join(split_dir, s["tokens_file"])
        tokens = np.load(path, mmap_mode="r")
        docs = np.load(os.path.join(split_dir, s["docs_file"]), mmap_mode="r")
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            np.lib.format.read_array_header_1_0(f)
            data_offset = f.tell()
        shards.append({
            "memmap": isinstance(tokens, np.memmap) and isinstance(docs, np.memmap),
            "version": list(version),
            "data_offset": data_offset,
            "dtype": tokens.dtype.str,
            "shape": list(tokens.shape),
            "docs_dtype": docs.dtype.str,
            "docs": [int(x) for x in docs],
            # the values themselves, widened so that JSON carries them exactly
            "tokens": [int(x) for x in tokens.astype(np.int64)],
        })
    json.dump({"shards": shards}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
