package io.rotationdrag.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotationdrag.diffusion.io.ConfigJson;
import io.rotationdrag.diffusion.vae.AutoencoderKL;
import io.rotationdrag.synth.RotationBenchmark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fine-tunes only the decoder of a model folder's VAE on fresh rendered scenes ({@link VaeTrainer} with
 * {@code decoderOnly}); the encoder, quant_conv and scaling factor are kept, so the latents and the UNet trained on
 * them stay valid and only the way latents become pixels improves. Writes {@code <out>/vae/} (config + weights),
 * the loss curve and {@code <out>/vae_decoder_provenance.json}; copying {@code <out>/vae/} over the model's
 * {@code vae/} applies it.
 *
 * <p>Usage: {@code FinetuneVaeDecoder <model dir> <out dir> [minutes=60] [lr=1e-4] [scene seed=10] [batch=8]
 * [detail weight=4] [max steps=1000000]}.
 */
public final class FinetuneVaeDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(FinetuneVaeDecoder.class);

    private FinetuneVaeDecoder() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: FinetuneVaeDecoder <model dir> <out dir> [minutes=60] [lr=1e-4] [scene seed=10] "
                    + "[batch=8] [detail weight=4] [max steps=1000000]");
            System.exit(2);
        }
        Path model = Path.of(args[0]);
        Path out = Path.of(args[1]);
        double minutes = args.length > 2 ? Double.parseDouble(args[2]) : 60;
        double lr = args.length > 3 ? Double.parseDouble(args[3]) : 1e-4;
        long seed = args.length > 4 ? Long.parseLong(args[4]) : 10;
        int batch = args.length > 5 ? Integer.parseInt(args[5]) : 8;
        double detail = args.length > 6 ? Double.parseDouble(args[6]) : 4;
        int steps = args.length > 7 ? Integer.parseInt(args[7]) : 1_000_000;
        run(model, out, new VaeTrainer.Settings(steps, batch, lr, 50, 0, minutes, 20, 200, true, detail), seed,
                String.join(" ", args));
    }

    /** Runs the fine-tuning; returns the written {@code <out>/vae} folder. */
    public static Path run(Path model, Path out, VaeTrainer.Settings s, long sceneSeed, String commandLine)
            throws IOException {
        if (!s.decoderOnly()) {
            throw new IllegalArgumentException("FinetuneVaeDecoder trains the decoder only");
        }
        RotationBenchmark.requireTrainingSeed(sceneSeed);
        Files.createDirectories(out);
        Engine.getInstance().setRandomSeed((int) sceneSeed);
        Path vaeOut = out.resolve("vae");
        try (NDManager root = NDManager.newBaseManager()) {
            AutoencoderKL vae = AutoencoderKL.load(model.resolve("vae"), root, DataType.FLOAT32);
            int size = vae.config().sampleSize();
            LossCurve curve = new LossCurve("vae-decoder", 50);
            ObjectNode config = vae.config().toJson();
            LOG.info("decoder fine-tuning of {} on scenes of seed {}: lr {}, batch {}, detail weight {}, {} min",
                    model, sceneSeed, s.lr(), s.batch(), s.detailWeight(), s.maxMinutes());
            VaeTrainer.Result r = VaeTrainer.train(root, EngineAdapters.autoencoder(vae), new SceneDataset(sceneSeed, size),
                    s, curve, step -> {
                        try {
                            Checkpoints.save(vaeOut, config, vae.parameters(), AutoencoderKL.WEIGHTS);
                            curve.writeCsv(out.resolve("vae_decoder_loss.csv"));
                            curve.writePng(out.resolve("vae_decoder_loss.png"));
                            LOG.info("decoder checkpoint at step {}", step);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            ObjectNode prov = ConfigJson.object();
            prov.put("command", "java -cp <shared-model classpath> io.rotationdrag.train.FinetuneVaeDecoder " + commandLine);
            prov.put("from", model.toString());
            prov.put("finished", Instant.now().toString());
            prov.put("scene_seed", sceneSeed);
            prov.put("steps", r.steps());
            prov.put("batch", s.batch());
            prov.put("lr", s.lr());
            prov.put("detail_weight", s.detailWeight());
            prov.put("first_loss", curve.size() > 0 ? curve.first() : Double.NaN);
            prov.put("final_loss_mean_last_50", r.finalLoss());
            prov.put("final_recon_mean_last_50", r.finalRecon());
            prov.put("seconds", r.seconds());
            Checkpoints.writeJson(out.resolve("vae_decoder_provenance.json"), prov);
            LOG.info(String.format(Locale.ROOT, "decoder fine-tuned: %d steps, recon (last 50) %.4f, %.0f s -> %s",
                    r.steps(), r.finalRecon(), r.seconds(), vaeOut));
            vae.close();
        }
        return vaeOut;
    }
}
