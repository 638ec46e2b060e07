package io.rotationdrag.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rotationdrag.diffusion.ModelGeometry;
import io.rotationdrag.drag.BinaryMask;
import io.rotationdrag.drag.Conventions;
import io.rotationdrag.drag.FeatureGrid;
import io.rotationdrag.drag.Vec2;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The drag stage's grid and mask rules (issue 16), without a model. */
class DragStageRulesTest {

    private static PreparedEdit prepare(int size, BufferedImage mask, EditOptions o) {
        return EditValidator.prepare(new EditRequest(TinyEditFixture.scene(), mask,
                List.of(PointPair.of(40, 30, 30, 20)), "", o), new ModelGeometry(32, size));
    }

    /**
     * The feature grid is 4x the latent on every model: SD 1.5 (VAE x8) 512 px -> latent 64 -> 256 cells (the
     * reference's half image); the embedded model (VAE x4) 64 px -> latent 16 -> 64 cells (not half the image, 32).
     */
    @Test
    void featureGridIsFourTimesTheLatent() {
        PreparedEdit e = prepare(64, null, EditOptions.defaults());
        FeatureGrid embedded = DragStage.grid(e, 16, 16);
        assertEquals(64, embedded.featureWidth());
        assertEquals(64, embedded.featureHeight());
        FeatureGrid vae8 = DragStage.grid(e, 8, 8);
        assertEquals(32, vae8.featureWidth(), "VAE x8: 4x the latent = half the image, as the reference");
        // r_p = 3 cells is then 0.75 latent cells on both models, and the stop distance 2 cells = 0.5 latent cells
        assertEquals(3.0 / 4, 3.0 * 16 / embedded.featureWidth(), 1e-12);
        assertEquals(3.0 / 4, 3.0 * 8 / vae8.featureWidth(), 1e-12);
    }

    /** A 1 px diagonal stroke: the product keeps every latent cell it crosses, the reference rule its block corners. */
    @Test
    void thinMaskKeepsEveryPaintedLatentCell() {
        BufferedImage m = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int k = 5; k < 60; k++) {
            m.setRGB(k, 63 - k, 0xFFFFFF);
        }
        EditOptions o = EditOptions.defaults().withDrag(DragOptions.defaults().withMaskTerm(MaskTerm.ALWAYS));
        PreparedEdit e = prepare(64, m, o);
        BinaryMask product = DragStage.maskTermMask(e, 16, 16);
        int touched = 0;
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                boolean painted = false;
                for (int yy = 4 * y; yy < 4 * y + 4; yy++) {
                    for (int xx = 4 * x; xx < 4 * x + 4; xx++) {
                        painted |= (m.getRGB(xx, yy) & 0xFFFFFF) != 0;
                    }
                }
                touched += painted ? 1 : 0;
                assertEquals(painted, product.get(x, y), "latent cell " + x + "," + y);
            }
        }
        PreparedEdit ref = prepare(64, m, o.withDrag(o.drag().withConventions(Conventions.REFERENCE)));
        BinaryMask nearest = DragStage.maskTermMask(ref, 16, 16);
        System.out.printf("1 px diagonal stroke: %d latent cells touched, product keeps %d, reference rule %d%n",
                touched, product.count(), nearest.count());
        assertEquals(touched, product.count());
        assertEquals(e.mask().resizeNearest(64, 64).resizeNearest(16, 16).count(), nearest.count());
    }

    /** Reference conventions: points rint(x s) (half to even), the axis rounded too; product: centres aligned. */
    @Test
    void conventionsMapPointsAsDocumented() {
        FeatureGrid g = new FeatureGrid(256, 256, 128, 128);
        assertEquals(new Vec2(92, 64), Conventions.REFERENCE.toFeatureCell(g, new Vec2(184, 128)));
        assertEquals(new Vec2(64, 64), Conventions.REFERENCE.axisToFeature(g, new Vec2(128, 128)));
        assertEquals(new Vec2(63.75, 63.75), Conventions.PRODUCT.axisToFeature(g, new Vec2(128, 128)));
        // 5 px * 0.5 = 2.5 -> 2 (half to even) in the reference, (5.5 * 0.5 - 0.5) = 2.25 -> 2 in the product
        assertEquals(new Vec2(2, 2), Conventions.REFERENCE.toFeatureCell(g, new Vec2(5, 5)));
        assertEquals(new Vec2(4, 4), Conventions.REFERENCE.toFeatureCell(g, new Vec2(7, 7)));
        assertEquals(new Vec2(64, 64), Conventions.REFERENCE.pointRotationCentre(128, 128));
        assertEquals(new Vec2(63.5, 63.5), Conventions.PRODUCT.pointRotationCentre(128, 128));
    }
}
