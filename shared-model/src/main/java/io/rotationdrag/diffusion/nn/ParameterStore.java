package io.rotationdrag.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.rotationdrag.diffusion.io.HostTensor;
import io.rotationdrag.diffusion.io.SafeTensors;
import io.rotationdrag.diffusion.io.WeightLoader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The parameters a model declares, by diffusers key, in declaration order. Modules declare shapes when they are
 * constructed (nothing is allocated), so parameter counts of full-size models come for free; {@link #load}
 * fills the values from a safetensors file, {@link #save} writes them back in the same layout.
 */
public final class ParameterStore {
    private final String component;
    private final Map<String, Param> params = new LinkedHashMap<>();

    public ParameterStore(String component) {
        this.component = component;
    }

    public String component() {
        return component;
    }

    public Param declare(String name, long... shape) {
        if (params.containsKey(name)) {
            throw new IllegalStateException(component + ": parameter declared twice: " + name);
        }
        Param p = new Param(name, shape);
        params.put(name, p);
        return p;
    }

    public List<Param> params() {
        return List.copyOf(params.values());
    }

    public Param get(String name) {
        Param p = params.get(name);
        if (p == null) {
            throw new IllegalArgumentException(component + ": no parameter '" + name + "'");
        }
        return p;
    }

    public int size() {
        return params.size();
    }

    /** Total number of scalar parameters, from the declared shapes. */
    public long parameterCount() {
        long n = 0;
        for (Param p : params.values()) {
            n += p.numel();
        }
        return n;
    }

    /** Declared shapes by key. */
    public Map<String, long[]> shapes() {
        Map<String, long[]> m = new LinkedHashMap<>();
        params.forEach((k, p) -> m.put(k, p.shape()));
        return m;
    }

    /** Loads every declared parameter from the file into {@code manager} (see {@link WeightLoader#load}). */
    public void load(SafeTensors st, NDManager manager, DataType dtype, Function<String, String> fileKey,
                     Set<String> ignorable) throws IOException {
        Map<String, NDArray> arrays = WeightLoader.load(st, manager, shapes(), fileKey, ignorable, dtype);
        arrays.forEach((k, a) -> params.get(k).set(a));
    }

    public void load(Path file, NDManager manager, DataType dtype) throws IOException {
        try (SafeTensors st = SafeTensors.open(file)) {
            load(st, manager, dtype, Function.identity(), Set.of());
        }
    }

    /** Sets values from host tensors (e.g. random weights) into {@code manager}. */
    public void set(List<HostTensor> tensors, NDManager manager, DataType dtype) {
        for (HostTensor t : tensors) {
            Param p = get(t.name());
            p.set(WeightLoader.toNDArray(manager, t, dtype));
        }
    }

    /** Marks every parameter as trainable (full fine-tuning) or frozen. */
    public void setRequiresGradient(boolean requires) {
        for (Param p : params.values()) {
            p.get().setRequiresGradient(requires);
        }
    }

    /** Copies all values to the heap (float32), in declaration order. */
    public List<HostTensor> toHostTensors() {
        List<HostTensor> out = new ArrayList<>();
        for (Param p : params.values()) {
            out.add(WeightLoader.toHost(p.name(), p.get()));
        }
        return out;
    }

    /** Writes the parameters in diffusers layout (float32 safetensors with {"format":"pt"}). */
    public void save(Path file) throws IOException {
        SafeTensors.write(file, toHostTensors(), Map.of("format", "pt"));
    }

    /**
     * Random weights for tests and benchmarks, generated on the heap from the declared shapes only:
     * matrices/kernels ~ N(0, gain^2/fan_in), biases ~ N(0, 0.02^2), norm weights ~ 1 + N(0, 0.1^2),
     * norm biases ~ N(0, 0.1^2). Every layer is non-zero so that parity and gradient tests see every path.
     */
    public List<HostTensor> randomWeights(long seed, double gain) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<HostTensor> out = new ArrayList<>();
        for (Param p : params.values()) {
            long[] s = p.shape();
            float[] d = new float[Math.toIntExact(p.numel())];
            boolean isNorm = p.name().matches(".*(norm[^.]*|group_norm|layer_norm\\d?|norm_out)\\.(weight|bias)$");
            if (s.length == 1 && isNorm && p.name().endsWith(".weight")) {
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) (1 + 0.1 * gauss(rnd));
                }
            } else if (s.length == 1) {
                double std = isNorm ? 0.1 : 0.02;
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) (std * gauss(rnd));
                }
            } else {
                long fanIn = 1;
                for (int k = 1; k < s.length; k++) {
                    fanIn *= s[k];
                }
                double std = gain / Math.sqrt(fanIn);
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) (std * gauss(rnd));
                }
            }
            out.add(new HostTensor(p.name(), s, d));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Random weights created directly as NDArrays in {@code manager} (no heap copy: a full-size SD 1.5 UNet is
     * 3.4 GB), with the distribution of {@link #randomWeights} drawn by the engine's generator seeded with
     * {@code seed}. For benchmarks; values differ from {@link #randomWeights} of the same seed.
     */
    public void randomize(NDManager manager, DataType dtype, long seed, double gain) {
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
        for (Param p : params.values()) {
            long[] s = p.shape();
            ai.djl.ndarray.types.Shape shape = new ai.djl.ndarray.types.Shape(s);
            boolean isNorm = p.name().matches(".*(norm[^.]*|group_norm|layer_norm\\d?|norm_out)\\.(weight|bias)$");
            NDArray a;
            if (s.length == 1 && isNorm && p.name().endsWith(".weight")) {
                a = manager.randomNormal(1f, 0.1f, shape, DataType.FLOAT32);
            } else if (s.length == 1) {
                a = manager.randomNormal(0f, isNorm ? 0.1f : 0.02f, shape, DataType.FLOAT32);
            } else {
                long fanIn = 1;
                for (int k = 1; k < s.length; k++) {
                    fanIn *= s[k];
                }
                a = manager.randomNormal(0f, (float) (gain / Math.sqrt(fanIn)), shape, DataType.FLOAT32);
            }
            if (dtype != null && dtype != DataType.FLOAT32) {
                NDArray c = a.toType(dtype, false);
                a.close();
                a = c;
            }
            a.setName(p.name());
            p.set(a);
        }
    }

    private static double gauss(SplittableRandom r) {
        // Box-Muller; SplittableRandom has no nextGaussian in Java 17
        double u1 = r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** Closes every loaded value (they live in the model's manager anyway). */
    public void clearValues() {
        for (Param p : params.values()) {
            if (p.isLoaded()) {
                p.get().close();
            }
        }
    }
}
