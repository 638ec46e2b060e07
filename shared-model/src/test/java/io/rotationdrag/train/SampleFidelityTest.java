package io.rotationdrag.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rotationdrag.synth.NamedColor;
import io.rotationdrag.synth.Scene;
import io.rotationdrag.synth.SceneRenderer;
import io.rotationdrag.synth.SceneSampler;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SampleFidelityTest {

    private static final int N = 200;

    @Test
    void renderedScenesFollowTheirOwnPromptsAndNotOthers() {
        List<Scene> scenes = new ArrayList<>();
        List<BufferedImage> renders = new ArrayList<>();
        SceneSampler sampler = new SceneSampler(4242);
        for (int i = 0; i < N; i++) {
            scenes.add(sampler.next());
            renders.add(SceneRenderer.render(scenes.get(i), 64));
        }
        SampleFidelity.Scores own = SampleFidelity.score(renders, scenes, 1);
        assertEquals(N, own.background(), "the top row of a rendered scene is its background colour");
        assertTrue(own.partColor() >= 0.97 * N, "the part's colour is drawn: " + own);
        assertTrue(own.decoy() <= 0.15 * N, "a colour the prompt did not name is mostly absent: " + own);

        double[] psnr = SampleFidelity.reconstructionPsnr(renders, renders, scenes);
        assertEquals(Double.POSITIVE_INFINITY, psnr[0]);
        assertEquals(Double.POSITIVE_INFINITY, psnr[1]);
        List<BufferedImage> blank = renders.stream().map(r -> new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB)).toList();
        double[] off = SampleFidelity.reconstructionPsnr(blank, renders, scenes);
        assertTrue(off[0] < 15 && off[1] < 15, "black images are far from the scenes: " + off[0] + ", " + off[1]);

        // each image against the next scene's prompt: the tests fire about as often as chance
        List<Scene> shifted = new ArrayList<>(scenes.subList(1, N));
        shifted.add(scenes.get(0));
        SampleFidelity.Scores other = SampleFidelity.score(renders, shifted, 1);
        assertTrue(other.background() < 0.2 * N, "background of another prompt: " + other);
        assertTrue(other.partColor() < 0.4 * N, "part colour of another prompt: " + other);
    }

    @Test
    void flatImagesAreClassifiedByTheirColour() {
        for (NamedColor c : NamedColor.values()) {
            BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(c.color());
            g.fillRect(0, 0, 16, 16);
            g.dispose();
            assertEquals(c, SampleFidelity.backgroundOf(img));
            assertEquals(256, SampleFidelity.pixelsNear(img, c));
        }
    }

    @Test
    void theDecoyIsNeverAColourTheSceneUses() {
        SceneSampler sampler = new SceneSampler(7);
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < 500; i++) {
            Scene s = sampler.next();
            NamedColor d = SampleFidelity.decoyFor(s, rnd);
            assertNotEquals(s.partColor(), d);
            assertNotEquals(s.bodyColor(), d);
            assertTrue(d.distance(s.bgColor()) >= 150);
        }
    }
}
