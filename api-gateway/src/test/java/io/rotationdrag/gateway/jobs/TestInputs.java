package io.rotationdrag.gateway.jobs;

import io.restassured.specification.RequestSpecification;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;

import static io.rotationdrag.gateway.TestAuth.given;

/** Images and multipart requests for the gateway tests. */
public final class TestInputs {
    private TestInputs() {
    }

    /** A w x h RGB picture with a bar and noise (seeded, so each seed gives other bytes). */
    public static BufferedImage picture(int w, int h, long seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, 0x303030 + (r.nextInt(32) << 16) + (r.nextInt(32) << 8) + r.nextInt(32));
            }
        }
        Graphics2D g = img.createGraphics();
        g.setColor(Color.ORANGE);
        g.fillRect(w / 4, h / 2 - 4, w / 2, 8);
        g.dispose();
        return img;
    }

    /** A mask: white (editable) disc around the centre, black elsewhere. */
    public static BufferedImage mask(int w, int h) {
        BufferedImage m = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = m.createGraphics();
        g.setColor(Color.WHITE);
        g.fillOval(w / 8, h / 8, 3 * w / 4, 3 * h / 4);
        g.dispose();
        return m;
    }

    public static byte[] encode(BufferedImage img, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalStateException("no writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A palette GIF (the GIF writer wants indexed colour). */
    public static byte[] gif(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED);
        Graphics2D g = img.createGraphics();
        g.drawImage(picture(w, h, 1), 0, 0, null);
        g.dispose();
        return encode(img, "gif");
    }

    public static byte[] png(int w, int h, long seed) {
        return encode(picture(w, h, seed), "png");
    }

    /** One drag (16,32) -> (40,20) and one rotation axis at (32,32), inside a 64x64 image. */
    public static final String POINTS = "[[16,32],[40,20],[32,32],[32,32]]";

    /** A valid submission of a 64x64 PNG with mask; callers add or override parts. */
    public static RequestSpecification valid(byte[] image, byte[] mask) {
        return valid(image, mask, io.rotationdrag.gateway.TestAuth.ALICE);
    }

    /** A valid submission sent with the API key {@code key} (TestAuth). */
    public static RequestSpecification valid(byte[] image, byte[] mask, String key) {
        RequestSpecification s = io.rotationdrag.gateway.TestAuth.as(key).multiPart("image", "scene.png", image, "image/png")
                .multiPart("points", POINTS).multiPart("prompt", "an orange bar")
                .multiPart("method", "rotationdrag-cached").multiPart("options", "{\"seed\":7,\"drag\":{\"maxSteps\":5}}");
        if (mask != null) {
            s = s.multiPart("mask", "mask.png", mask, "image/png");
        }
        return s;
    }
}
