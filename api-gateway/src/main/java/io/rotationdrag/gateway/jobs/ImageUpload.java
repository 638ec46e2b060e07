package io.rotationdrag.gateway.jobs;

import io.rotationdrag.gateway.api.ApiException;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;

/**
 * An uploaded PNG or JPEG: its type from the magic bytes (not the client's Content-Type), its size from the
 * header (checked against a pixel budget before any decoding, so a small file cannot unpack into gigabytes),
 * then the decoded image.
 *
 * @param bytes   the upload as received
 * @param type    PNG or JPEG
 * @param image   decoded
 */
public record ImageUpload(byte[] bytes, Type type, BufferedImage image) {
    public enum Type { PNG, JPEG }

    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /**
     * @param field     form field name for the error messages
     * @param allowed   accepted types (415 otherwise)
     * @param maxBytes  413 beyond
     * @param maxPixels 413 beyond (width x height from the header)
     */
    public static ImageUpload read(String field, byte[] bytes, java.util.Set<Type> allowed, long maxBytes,
                                   long maxPixels) {
        if (bytes == null || bytes.length == 0) {
            throw ApiException.badRequest(field, field + " is empty");
        }
        if (bytes.length > maxBytes) {
            throw new ApiException(413, field, field + " is " + bytes.length + " bytes; at most " + maxBytes
                    + " are accepted");
        }
        Type type = sniff(bytes);
        if (type == null || !allowed.contains(type)) {
            throw new ApiException(415, field, field + " must be " + names(allowed) + "; the upload is "
                    + (type == null ? describe(bytes) : type.name()));
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw ApiException.badRequest(field, field + " looks like " + type + " but no decoder accepts it");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w * h > maxPixels) {
                    throw new ApiException(413, field, field + " is " + w + "x" + h + " pixels; at most " + maxPixels
                            + " pixels are accepted");
                }
                BufferedImage img = reader.read(0);
                return new ImageUpload(bytes, type, img);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException a) {
                throw a;
            }
            throw ApiException.badRequest(field, field + " is not a readable " + type + ": " + e.getMessage());
        }
    }

    /** The bytes to store as PNG: the upload itself when it is a PNG, the decoded pixels re-encoded otherwise. */
    public byte[] pngBytes() {
        if (type == Type.PNG) {
            return bytes;
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer for image type " + image.getType());
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Type sniff(byte[] b) {
        if (startsWith(b, PNG_MAGIC)) {
            return Type.PNG;
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) {
            return Type.JPEG;
        }
        return null;
    }

    private static String describe(byte[] b) {
        if (startsWith(b, "GIF8".getBytes())) {
            return "GIF";
        }
        if (b.length >= 12 && startsWith(b, "RIFF".getBytes()) && b[8] == 'W' && b[9] == 'E' && b[10] == 'B') {
            return "WEBP";
        }
        if (startsWith(b, "BM".getBytes())) {
            return "BMP";
        }
        return "of an unknown type";
    }

    private static String names(java.util.Set<Type> allowed) {
        return allowed.size() == 1 ? allowed.iterator().next().name()
                : String.join(" or ", allowed.stream().map(Enum::name).sorted(java.util.Comparator.reverseOrder())
                .toList());
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
