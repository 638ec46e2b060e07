package io.rotationdrag.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The UNet trainer's learning-rate schedule: linear warmup, then a cosine from lr to lrFinal. */
class UNetTrainerScheduleTest {

    private static UNetTrainer.Settings settings(double lr, double lrFinal, int warmup) {
        return new UNetTrainer.Settings(1000, 8, lr, lrFinal, warmup, 0.1, 60, 10, 100, 1);
    }

    @Test
    void cosineRunsFromTheStartRateToTheFinalRate() {
        UNetTrainer.Settings s = settings(4e-4, 1e-5, 100);
        assertEquals(4e-4, UNetTrainer.learningRate(s, 100, 0.0), 1e-15);
        assertEquals(1e-5, UNetTrainer.learningRate(s, 900, 1.0), 1e-15);
        // cos(pi/2) = 0: halfway through, the mean of the two rates
        assertEquals((4e-4 + 1e-5) / 2, UNetTrainer.learningRate(s, 500, 0.5), 1e-15);
        // a quarter of the way: lrFinal + (lr - lrFinal) (1 + sqrt(2)/2) / 2
        assertEquals(1e-5 + (4e-4 - 1e-5) * (1 + Math.sqrt(0.5)) / 2, UNetTrainer.learningRate(s, 250, 0.25), 1e-15);
        // past the end (the wall-clock check runs after the step) it stays at lrFinal
        assertEquals(1e-5, UNetTrainer.learningRate(s, 1000, 1.3), 1e-15);
    }

    @Test
    void warmupScalesLinearlyAndEqualRatesAreConstant() {
        UNetTrainer.Settings s = settings(4e-4, 1e-5, 100);
        assertEquals(4e-4 * 10 / 100.0, UNetTrainer.learningRate(s, 10, 0.0), 1e-15);
        UNetTrainer.Settings constant = settings(3e-4, 3e-4, 100);
        for (double p : new double[]{0, 0.3, 0.7, 1}) {
            assertEquals(3e-4, UNetTrainer.learningRate(constant, 200, p), 1e-15);
        }
    }
}
