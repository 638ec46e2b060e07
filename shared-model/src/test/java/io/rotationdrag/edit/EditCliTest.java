package io.rotationdrag.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rotationdrag.diffusion.TinyModelFactory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: point syntaxes, clear errors, and one small real edit on a tiny model. */
class EditCliTest {

    @TempDir
    Path dir;

    @Test
    void parsesThePointSyntaxes() {
        List<PointPair> a = EditCli.parsePoints("10,20,30,40; 5,5,5,5");
        assertEquals(List.of(PointPair.of(10, 20, 30, 40), PointPair.axis(5, 5)), a);
        assertEquals(a, EditCli.parsePoints("[[10,20],[30,40],[5,5],[5,5]]"));
        assertEquals(List.of(PointPair.of(1.5, 2, 3, 4)),
                EditCli.parsePoints("[{\"hx\":1.5,\"hy\":2,\"tx\":3,\"ty\":4}]"));
        assertTrue(assertThrows(EditValidationException.class, () -> EditCli.parsePoints("1,2,3"))
                .getMessage().contains("hx,hy,tx,ty"));
        assertTrue(assertThrows(EditValidationException.class, () -> EditCli.parsePoints("[[1,2],[3,4],[5,6]]"))
                .getMessage().contains("odd number"));
        assertThrows(EditValidationException.class, () -> EditCli.parsePoints("1,2,x,4"));
        assertThrows(EditValidationException.class, () -> EditCli.parsePoints("[[1,2],"));
    }

    private record Out(int code, String out, String err) {
    }

    private static Out run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = EditCli.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Out(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badInputGivesExitTwoWithAReason() throws Exception {
        Out noImage = run("--points", "1,2,3,4", "--model", dir.toString());
        assertEquals(2, noImage.code());
        assertTrue(noImage.err().contains("--image is required"), noImage.err());
        Path img = dir.resolve("in.png");
        ImageIO.write(TinyEditFixture.scene(), "png", img.toFile());
        Out noModel = run("--image", img.toString(), "--points", "1,2,3,4", "--model", dir.resolve("nope").toString());
        assertEquals(2, noModel.code());
        assertTrue(noModel.err().contains("model folder not found"), noModel.err());
        Out badMethod = run("--image", img.toString(), "--points", "1,2,3,4", "--method", "sde-drag");
        assertEquals(2, badMethod.code());
        assertTrue(badMethod.err().contains("unknown method"), badMethod.err());
        assertEquals(2, run("--image").code());
    }

    @Test
    void runsAnEditAndWritesTheImage() throws Exception {
        Path model = TinyModelFactory.write(dir.resolve("tiny"), TinyModelFactory.Spec.small(), 7);
        Path img = dir.resolve("in.png");
        ImageIO.write(TinyEditFixture.scene(), "png", img.toFile());
        Path out = dir.resolve("out/edited.png");
        Out r = run("--model", model.toString(), "--image", img.toString(), "--points", "54,32,44,12;32,32,32,32",
                "--prompt", "a red bar", "--method", "rotationdrag-cached", "--out", out.toString(), "--steps", "2",
                "--lora-steps", "0", "--inv-steps", "10", "--strength", "0.2", "--working-size", "64", "--threads", "1",
                "--outcome", dir.resolve("o.drag").toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage edited = ImageIO.read(out.toFile());
        assertNotNull(edited);
        assertEquals(64, edited.getWidth());
        assertTrue(r.out().contains("[drag] step 1/2"), r.out());
        assertTrue(r.out().contains("[invert] step 2/2"), r.out());
        assertTrue(r.out().contains("done: "), r.out());
        DragOutcome o = DragOutcome.fromBytes(Files.readAllBytes(dir.resolve("o.drag")));
        assertEquals("rotationdrag-cached", o.tracker());
    }
}
