package org.lmshards.trainer.interop;

import java.util.Arrays;
import java.util.List;

/**
 * One array of a {@code .npz} file: a float tensor in row-major (C) order, or a 1-D array of
 * strings (numpy's fixed-width unicode dtype {@code <Un}).
 *
 * @param shape   dimensions, outermost first
 * @param floats  the values in C order (null for a string array)
 * @param strings the values of a string array (null for a float array)
 */
public record NpzArray(long[] shape, float[] floats, List<String> strings) {
    public NpzArray {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        long have = floats != null ? floats.length : strings.size();
        if (n != have) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, got " + have);
        }
    }

    public static NpzArray of(float[] values, long... shape) {
        return new NpzArray(shape.clone(), values, null);
    }

    public static NpzArray ofStrings(List<String> values) {
        return new NpzArray(new long[] {values.size()}, null, List.copyOf(values));
    }

    public boolean isStrings() {
        return strings != null;
    }

    public String shapeText() {
        return Arrays.toString(shape);
    }
}
