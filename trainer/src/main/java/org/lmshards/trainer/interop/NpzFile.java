package org.lmshards.trainer.interop;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.lmshards.core.shard.NpyDtype;
import org.lmshards.trainer.train.rundir.DamagedRunFileException;

/**
 * Reads and writes numpy's {@code .npz} archives (a zip of {@code NAME.npy} files, format 1.0),
 * for {@code float32} tensors and string arrays, so that {@code numpy.load} opens them without
 * pickle. Reading also accepts {@code float64} tensors, as a PyTorch user's {@code numpy.savez}
 * may write them.
 */
public final class NpzFile {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpzFile() {
    }

    /** Writes {@code arrays} (name to array, in this order) as an npz archive to {@code out}. */
    public static void write(Map<String, NpzArray> arrays, OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(out, 1 << 16));
        for (Map.Entry<String, NpzArray> e : arrays.entrySet()) {
            zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
            writeNpy(e.getValue(), zip);
            zip.closeEntry();
        }
        zip.finish();
        zip.flush();
    }

    private static void writeNpy(NpzArray a, OutputStream out) throws IOException {
        if (a.isStrings()) {
            int width = 1;
            for (String s : a.strings()) {
                width = Math.max(width, s.codePointCount(0, s.length()));
            }
            out.write(header("<U" + width, a.shape()));
            ByteBuffer b = ByteBuffer.allocate(4 * width).order(ByteOrder.LITTLE_ENDIAN);
            for (String s : a.strings()) {
                b.clear();
                s.codePoints().forEach(b::putInt);
                while (b.hasRemaining()) {
                    b.putInt(0);
                }
                out.write(b.array());
            }
        } else {
            out.write(header(NpyDtype.FLOAT32.descr(), a.shape()));
            float[] v = a.floats();
            ByteBuffer b = ByteBuffer.allocate(NpyDtype.FLOAT32.itemSize() * 8192).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < v.length; i++) {
                b.putFloat(v[i]);
                if (!b.hasRemaining()) {
                    out.write(b.array(), 0, b.position());
                    b.clear();
                }
            }
            out.write(b.array(), 0, b.position());
        }
    }

    /** A version 1.0 header, padded with spaces to a multiple of 64 bytes as numpy writes it. */
    static byte[] header(String descr, long[] shape) {
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        String dimText = shape.length == 1 ? shape[0] + "," : dims.length() == 0 ? "" : dims.substring(0, dims.length() - 2);
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dimText + "), }";
        int unpadded = 10 + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) (total - 10));
        b.put(dict.getBytes(StandardCharsets.US_ASCII));
        while (b.position() < total - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }

    /**
     * Reads every array of {@code file}; anything that is not an npz of C-order float or
     * unicode-string arrays is a {@link DamagedRunFileException} naming the file and the entry.
     */
    public static Map<String, NpzArray> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new DamagedRunFileException(file, "no such .npz file", null);
        }
        Map<String, NpzArray> arrays = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                String name = e.getName();
                if (!name.endsWith(".npy")) {
                    throw new DamagedRunFileException(file, "not a numpy .npz: entry " + name + " is not a .npy", null);
                }
                arrays.put(name.substring(0, name.length() - 4), readNpy(zip.readAllBytes(), file, name));
            }
        } catch (ZipException e) {
            throw new DamagedRunFileException(file, "not a readable .npz archive (" + e.getMessage() + ")", e);
        } catch (java.io.EOFException e) {
            // a cut file: the zip stream ends inside an entry (the message named no file, issue 25)
            throw new DamagedRunFileException(file, "truncated .npz archive (" + e.getMessage() + ")", e);
        }
        if (arrays.isEmpty()) {
            throw new DamagedRunFileException(file, "not a numpy .npz archive (no .npy entries)", null);
        }
        return arrays;
    }

    private static NpzArray readNpy(byte[] bytes, Path file, String entry) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || !java.util.Arrays.equals(java.util.Arrays.copyOf(bytes, 6), MAGIC)) {
            throw bad(file, entry, "no .npy magic");
        }
        int major = bytes[6];
        int headerLen;
        int dataStart;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(b.getShort(8));
            dataStart = 10 + headerLen;
        } else if (major == 2 || major == 3) {
            headerLen = b.getInt(8);
            dataStart = 12 + headerLen;
        } else {
            throw bad(file, entry, "unsupported .npy version " + major);
        }
        if (dataStart > bytes.length || headerLen < 0) {
            throw bad(file, entry, "header longer than the entry");
        }
        String dict = new String(bytes, dataStart - headerLen, headerLen, StandardCharsets.ISO_8859_1);
        Matcher descrM = DESCR.matcher(dict), fortranM = FORTRAN.matcher(dict), shapeM = SHAPE.matcher(dict);
        if (!descrM.find() || !fortranM.find() || !shapeM.find()) {
            throw bad(file, entry, "unparseable header " + dict.trim());
        }
        if (fortranM.group(1).equals("True")) {
            throw bad(file, entry, "Fortran-order arrays are not supported (save a C-contiguous array)");
        }
        List<Long> dims = new ArrayList<>();
        for (String d : shapeM.group(1).split(",")) {
            if (!d.isBlank()) {
                dims.add(Long.parseLong(d.trim()));
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        String descr = descrM.group(1);
        b.position(dataStart);
        if (descr.matches("[<|]U\\d+")) {
            int width = Integer.parseInt(descr.substring(2));
            requireBytes(b, n * 4 * width, file, entry);
            List<String> strings = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                StringBuilder s = new StringBuilder();
                for (int c = 0; c < width; c++) {
                    int cp = b.getInt();
                    if (cp != 0) {
                        s.appendCodePoint(cp);
                    }
                }
                strings.add(s.toString());
            }
            return new NpzArray(shape, null, strings);
        }
        float[] v = new float[Math.toIntExact(n)];
        NpyDtype dtype = NpyDtype.fromDescr(descr);
        if (dtype == NpyDtype.FLOAT32) {
            requireBytes(b, dtype.bytes(n), file, entry);
            b.asFloatBuffer().get(v);
        } else if (dtype == NpyDtype.FLOAT64) {
            requireBytes(b, dtype.bytes(n), file, entry);
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) b.getDouble();
            }
        } else if (descr.equals("|O")) {
            throw bad(file, entry, "object (pickled) array; save strings with dtype=str, e.g."
                    + " numpy.array(itos, dtype=str)");
        } else {
            throw bad(file, entry, "unsupported dtype " + descr + " (float32, float64 or str)");
        }
        return new NpzArray(shape, v, null);
    }

    private static void requireBytes(ByteBuffer b, long needed, Path file, String entry) throws IOException {
        if (b.remaining() < needed) {
            throw bad(file, entry, "truncated: " + b.remaining() + " data bytes, the header promises " + needed);
        }
    }

    private static IOException bad(Path file, String entry, String why) {
        return new DamagedRunFileException(file, "entry " + entry + ": " + why, null);
    }
}
