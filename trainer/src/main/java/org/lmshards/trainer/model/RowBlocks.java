package org.lmshards.trainer.model;

/**
 * How the {@code rows} of a batch are split into {@code count} contiguous row blocks, one per
 * replica: block {@code k} holds rows {@code [start(k), end(k))}; the first {@code rows % count}
 * blocks hold one row more than the others, so blocks differ by at most one row.
 */
public record RowBlocks(int rows, int count) {
    public RowBlocks {
        if (count < 1 || rows < count) {
            throw new IllegalArgumentException("cannot split " + rows + " rows into " + count + " non-empty blocks");
        }
    }

    public int start(int block) {
        int base = rows / count, extra = rows % count;
        return block * base + Math.min(block, extra);
    }

    public int end(int block) {
        return start(block + 1);
    }

    public int size(int block) {
        return end(block) - start(block);
    }
}
