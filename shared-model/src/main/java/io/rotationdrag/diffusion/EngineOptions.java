package io.rotationdrag.diffusion;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;

/**
 * How the engine runs.
 *
 * @param device    "cpu" or "gpu" / "gpu(N)" (CUDA needs the CUDA native jar instead of the CPU one)
 * @param precision FP32 (weights and compute in float32; the only sensible choice on CPU, where fp16 matmul runs at
 *                  about 0.3 GFLOP/s) or FP16 (weights kept in float16 and computed in float16, for GPUs)
 * @param threads   intra-op threads of libtorch; 0 keeps the engine's setting (OMP_NUM_THREADS /
 *                  -Dai.djl.pytorch.num_threads)
 */
public record EngineOptions(String device, Precision precision, int threads) {

    public enum Precision {
        FP32(DataType.FLOAT32), FP16(DataType.FLOAT16);

        public final DataType dataType;

        Precision(DataType dt) {
            this.dataType = dt;
        }
    }

    public EngineOptions {
        if (device == null || device.isBlank()) {
            throw new IllegalArgumentException("device must be given (\"cpu\" or \"gpu(N)\")");
        }
        if (precision == null) {
            throw new IllegalArgumentException("precision must be given");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
        Device.fromName(device); // validates the name
    }

    /** CPU, float32, engine-default threads. */
    public static EngineOptions cpu() {
        return new EngineOptions("cpu", Precision.FP32, 0);
    }

    public Device djlDevice() {
        return Device.fromName(device);
    }

    public DataType dataType() {
        return precision.dataType;
    }
}
