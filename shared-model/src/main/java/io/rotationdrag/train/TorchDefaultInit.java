package io.rotationdrag.train;

import io.rotationdrag.diffusion.io.HostTensor;
import io.rotationdrag.diffusion.nn.Param;
import io.rotationdrag.diffusion.nn.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * Initial weights as PyTorch's layers make them (what diffusers trains from): Conv2d/Linear weights and biases
 * ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform with a = sqrt(5)), fan_in = product of all but the first
 * dimension of the weight; GroupNorm/LayerNorm weight 1 and bias 0. Seeded.
 */
public final class TorchDefaultInit {

    private static final Pattern NORM = Pattern.compile(".*(norm[^.]*|group_norm|layer_norm\\d?|norm_out)\\.(weight|bias)$");

    private TorchDefaultInit() {
    }

    public static List<HostTensor> weights(ParameterStore store, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, long[]> shapes = store.shapes();
        List<HostTensor> out = new ArrayList<>();
        for (Param p : store.params()) {
            long[] s = p.shape();
            float[] d = new float[Math.toIntExact(p.numel())];
            String name = p.name();
            if (s.length == 1 && NORM.matcher(name).matches()) {
                if (name.endsWith(".weight")) {
                    java.util.Arrays.fill(d, 1f);
                }
            } else {
                long fanIn = fanIn(name, s, shapes);
                double bound = fanIn > 0 ? 1.0 / Math.sqrt(fanIn) : 0;
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) (bound * (2 * rnd.nextDouble() - 1));
                }
            }
            out.add(new HostTensor(name, s, d));
        }
        return out;
    }

    private static long fanIn(String name, long[] shape, Map<String, long[]> shapes) {
        long[] w = shape;
        if (shape.length == 1 && name.endsWith(".bias")) {
            w = shapes.get(name.substring(0, name.length() - ".bias".length()) + ".weight");
            if (w == null || w.length < 2) {
                return 0;                      // a bias without a matrix: start at zero
            }
        }
        long f = 1;
        for (int k = 1; k < w.length; k++) {
            f *= w[k];
        }
        return f;
    }
}
