package io.rotationdrag.diffusion.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.EngineOptions;
import io.rotationdrag.diffusion.Golden;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.TinyModelFactory;
import io.rotationdrag.diffusion.io.HostTensor;
import io.rotationdrag.diffusion.io.SafeTensors;
import io.rotationdrag.diffusion.nn.Param;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fp16 weight files: up-cast to fp32 or kept in fp16 by EngineOptions' precision. */
class UNetPrecisionTest {

    @Test
    void fp16FileIsUpcastOrKeptPerPrecision(@TempDir Path dir) throws IOException {
        Path model = TinyModelFactory.write(dir.resolve("m"), TinyModelFactory.Spec.small(), 31);
        Path f32 = model.resolve("unet/diffusion_pytorch_model.safetensors");
        List<HostTensor> weights;
        try (SafeTensors st = SafeTensors.open(f32)) {
            weights = st.readAll();
        }
        // the diffusers fp16 variant name; the fp32 file removed so the loader must take the fp16 one
        try (OutputStream os = Files.newOutputStream(model.resolve("unet/diffusion_pytorch_model.fp16.safetensors"))) {
            SafeTensors.write(os, weights, Map.of("format", "pt"), SafeTensors.DType.F16);
        }
        Files.delete(f32);

        try (StableDiffusion up = StableDiffusion.load(model, new EngineOptions("cpu", EngineOptions.Precision.FP32, 0));
             StableDiffusion half = StableDiffusion.load(model, new EngineOptions("cpu", EngineOptions.Precision.FP16, 0))) {
            for (HostTensor t : weights) {
                Param p = up.unet().parameters().get(t.name());
                assertEquals(DataType.FLOAT32, p.get().getDataType());
                assertEquals(DataType.FLOAT16, half.unet().parameters().get(t.name()).get().getDataType());
                float[] got = p.get().toFloatArray();
                for (int i = 0; i < got.length; i++) {
                    float want = SafeTensors.halfToFloat(SafeTensors.floatToHalf(t.data()[i]));
                    if (got[i] != want) {
                        throw new AssertionError(t.name() + "[" + i + "] = " + got[i] + ", fp16 value " + want);
                    }
                }
            }
            assertEquals(DataType.FLOAT16, half.vae().parameters().params().get(0).get().getDataType());

            try (NDManager m = NDManager.newBaseManager()) {
                NDArray x = m.randomNormal(new Shape(1, 4, 16, 16));
                NDArray text = m.randomNormal(new Shape(1, 77, 32));
                NDArray ref = up.unet().predictNoise(x, 501, text);
                NDArray h = half.unet().predictNoise(x, 501, text);
                assertEquals(DataType.FLOAT16, h.getDataType());
                double err = Golden.maxAbsDiff(h.toType(DataType.FLOAT32, false), ref);
                double scale = Golden.maxAbs(ref);
                System.out.printf("fp16 compute vs fp32 (same fp16 weights): max abs diff %.3g, max |eps| %.3g%n", err, scale);
                // fp16 has a 2^-11 = 4.9e-4 relative step; through ~40 layers the error stays at the 1e-2 level
                assertTrue(err < 2e-2 * Math.max(1, scale), "fp16 forward differs by " + err);
            }
        }
    }
}
