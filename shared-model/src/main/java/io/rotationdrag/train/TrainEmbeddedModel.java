package io.rotationdrag.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotationdrag.diffusion.EmbeddedModel;
import io.rotationdrag.diffusion.schedule.DdimSchedulerConfig;
import io.rotationdrag.diffusion.io.ConfigJson;
import io.rotationdrag.diffusion.io.UNetConfig;
import io.rotationdrag.diffusion.io.VaeConfig;
import io.rotationdrag.diffusion.schedule.DdimScheduler;
import io.rotationdrag.diffusion.text.ClipTextModel;
import io.rotationdrag.diffusion.text.ClipTokenizer;
import io.rotationdrag.diffusion.unet.UNet2DConditionModel;
import io.rotationdrag.diffusion.vae.AutoencoderKL;
import io.rotationdrag.synth.RotationBenchmark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the embedded default model end to end on this CPU and writes it as a diffusers folder:
 * <ol>
 *   <li>writes {@code tokenizer/} + a frozen random {@code text_encoder/} ({@link TextEncoderFactory});</li>
 *   <li>trains the AutoencoderKL on rendered scenes ({@link VaeTrainer}), checkpointing {@code vae/};</li>
 *   <li>encodes a fixed set of scenes to latents once, sets {@code scaling_factor = 1/std(z)};</li>
 *   <li>trains the conditional UNet on the cached latents ({@link UNetTrainer}), checkpointing {@code unet/};</li>
 *   <li>writes {@code scheduler/}, {@code model_index.json}, loss curves (CSV + PNG), {@code PROVENANCE.json} and
 *       the SHA-256 {@code MANIFEST.txt} that {@link EmbeddedModel} checks.</li>
 * </ol>
 * Every phase has a step count and a wall-clock cap, so a usable folder exists whenever the run stops.
 * Usage: {@code TrainEmbeddedModel --out DIR [--key value ...]}; see {@link Options#parse}.
 */
public final class TrainEmbeddedModel {

    private static final Logger LOG = LoggerFactory.getLogger(TrainEmbeddedModel.class);

    /** Everything that determines a run (all recorded in the provenance file). */
    public record Options(Path out, long seed, int size, int vaeBase, int vaeLayers, int vaeSteps, int vaeBatch,
                          double vaeLr, double vaeMinutes, double klWeight, int latents, int unetBase, int unetLayers, int groups,
                          int heads, int crossDim, int textLayers, int unetSteps, int unetBatch, double unetLr, double unetLrFinal,
                          double unetMinutes, double uncondProb, int logEvery, int checkpointEvery, Path vaeFrom, Path vaeInit, Path unetInit,
                          long unetNoiseSeed) {

        static Options parse(String[] args) {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --key value pairs, got '" + args[i] + "'");
                }
                m.put(args[i].substring(2), args[++i]);
            }
            if (!m.containsKey("out")) {
                throw new IllegalArgumentException("--out DIR is required");
            }
            long seed = l(m, "seed", 7L);
            Options o = new Options(Path.of(m.remove("out")), seed, i(m, "size", 64),
                    i(m, "vae-base", 16), i(m, "vae-layers", 1), i(m, "vae-steps", 100_000), i(m, "vae-batch", 8),
                    d(m, "vae-lr", 1e-3), d(m, "vae-minutes", 25), d(m, "kl-weight", 1e-6),
                    i(m, "latents", 4096), i(m, "unet-base", 32), i(m, "unet-layers", 1), i(m, "groups", 8), i(m, "heads", 4),
                    i(m, "cross-dim", 64), i(m, "text-layers", 2), i(m, "unet-steps", 1_000_000),
                    i(m, "unet-batch", 16), d(m, "unet-lr", 5e-4), d(m, "unet-lr-final", Double.NaN), d(m, "unet-minutes", 45),
                    d(m, "uncond-prob", 0.1), i(m, "log-every", 10), i(m, "checkpoint-every", 200),
                    m.containsKey("vae-from") ? Path.of(m.remove("vae-from")) : null,
                    m.containsKey("vae-init") ? Path.of(m.remove("vae-init")) : null,
                    m.containsKey("unet-init") ? Path.of(m.remove("unet-init")) : null,
                    // the UNet's batch/timestep/noise stream; a continued run picks a new one so that it does not
                    // replay the previous run's (latents, t, noise) triples in the same order (default seed + 3)
                    l(m, "unet-noise-seed", seed + 3));
            if (!m.isEmpty()) {
                throw new IllegalArgumentException("unknown options: " + m.keySet());
            }
            RotationBenchmark.requireTrainingSeed(o.seed());
            RotationBenchmark.requireTrainingSeed(o.seed() + 1);
            return o;
        }

        private static int i(Map<String, String> m, String k, int def) {
            String v = m.remove(k);
            return v == null ? def : Integer.parseInt(v);
        }

        private static long l(Map<String, String> m, String k, long def) {
            String v = m.remove(k);
            return v == null ? def : Long.parseLong(v);
        }

        private static double d(Map<String, String> m, String k, double def) {
            String v = m.remove(k);
            return v == null ? def : Double.parseDouble(v);
        }
    }

    private TrainEmbeddedModel() {
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("TrainEmbeddedModel: " + e.getMessage());
            System.err.println("usage: TrainEmbeddedModel --out DIR [--seed 7] [--size 64] [--vae-minutes 25] "
                    + "[--unet-minutes 45] [--latents 4096] [--vae-from MODEL_DIR] ... (see Options)");
            System.exit(2);
            return;
        }
        run(o, String.join(" ", args));
    }

    /** Runs all phases; returns the model folder ({@code out/model}). */
    public static Path run(Options o, String commandLine) throws IOException {
        long t0 = System.nanoTime();
        Path model = o.out().resolve("model");
        Files.createDirectories(model);
        Engine.getInstance().setRandomSeed((int) o.seed());
        ObjectNode prov = ConfigJson.object();
        prov.put("model", EmbeddedModel.NAME);
        prov.put("command", "java -cp <shared-model classpath> io.rotationdrag.train.TrainEmbeddedModel " + commandLine);
        prov.put("started", Instant.now().toString());
        prov.put("training_seed", o.seed());
        prov.put("vae_scene_seed", o.seed());
        prov.put("latent_scene_seed", o.seed() + 1);
        prov.put("unet_noise_seed", o.unetNoiseSeed());
        prov.put("benchmark_seed_never_used_in_training", RotationBenchmark.REPORTING_SEED);
        prov.put("image_size", o.size());
        prov.putPOJO("options", o.toString());

        var text = TextEncoderFactory.write(model, o.crossDim(), o.textLayers(), o.heads(), 2 * o.crossDim(),
                o.seed() + 100);
        writeScheduler(model);
        writeModelIndex(model);

        try (NDManager root = NDManager.newBaseManager()) {
            ClipTextModel textModel = ClipTextModel.load(model.resolve("text_encoder"), root, DataType.FLOAT32);
            ClipTokenizer tokenizer = ClipTokenizer.load(model.resolve("tokenizer"));
            PromptEncoder prompts = (p, m) -> textModel.encode(m, tokenizer, p);

            // ---- VAE
            VaeConfig vc;
            AutoencoderKL vae;
            LossCurve vaeCurve = new LossCurve("vae", 50);
            if (o.vaeFrom() != null) {
                vae = AutoencoderKL.load(o.vaeFrom().resolve("vae"), root, DataType.FLOAT32);
                vc = vae.config();
                prov.put("vae_from", o.vaeFrom().toString());
            } else {
                if (o.vaeInit() != null) {
                    // continue training a checkpoint (its config wins; the optimiser state starts fresh)
                    vae = AutoencoderKL.load(o.vaeInit().resolve("vae"), root, DataType.FLOAT32);
                    vc = withScaling(vae.config(), 1.0);
                    prov.put("vae_init", o.vaeInit().toString());
                } else {
                    vc = vaeConfig(o, 1.0);
                    vae = AutoencoderKL.declare(vc);
                    vae.setWeights(TorchDefaultInit.weights(vae.parameters(), o.seed() + 200), root, DataType.FLOAT32);
                }
                LOG.info("vae: {} parameters, widths {}, {} layers per block", vae.parameters().parameterCount(),
                        java.util.Arrays.toString(vc.blockOutChannels()), vc.layersPerBlock());
                TrainableAutoencoder ae = EngineAdapters.autoencoder(vae);
                SceneDataset scenes = new SceneDataset(o.seed(), o.size());
                final VaeConfig vcf = vc;
                VaeTrainer.Result vr = VaeTrainer.train(root, ae, scenes,
                        new VaeTrainer.Settings(o.vaeSteps(), o.vaeBatch(), o.vaeLr(), 50, o.klWeight(),
                                o.vaeMinutes(), o.logEvery(), o.checkpointEvery()),
                        vaeCurve, step -> saveVae(model, vcf, vae, o.out(), vaeCurve, step));
                ObjectNode v = prov.putObject("vae");
                v.put("steps", vr.steps());
                v.put("batch", o.vaeBatch());
                v.put("first_loss", vaeCurve.size() > 0 ? vaeCurve.first() : Double.NaN);
                v.put("final_loss_mean_last_50", vr.finalLoss());
                v.put("final_recon_mean_last_50", vr.finalRecon());
                v.put("seconds", vr.seconds());
                v.put("parameters", vae.parameters().parameterCount());
                Checkpoints.writeJson(model.resolve("PROVENANCE.json"), prov);
            }
            TrainableAutoencoder ae = EngineAdapters.autoencoder(vae);

            // ---- latents + scaling factor
            long tl = System.nanoTime();
            LatentDataset latents = LatentDataset.encode(root, ae, new SceneDataset(o.seed() + 1, o.size()),
                    o.latents(), 32);
            double scaling = latents.scalingFactor(o.seed() + 2);
            LOG.info("latents: {} scenes, shape {}, scaling_factor {} ({} s)", latents.size(),
                    java.util.Arrays.toString(latents.latentShape()), VaeTrainer.fmt(scaling),
                    VaeTrainer.fmt(VaeTrainer.seconds(tl)));
            vc = withScaling(vc, scaling);
            Checkpoints.save(model.resolve("vae"), vc.toJson(), vae.parameters(), AutoencoderKL.WEIGHTS);
            prov.put("scaling_factor", scaling);
            prov.put("latent_scenes", latents.size());

            // ---- UNet
            UNetConfig uc = UNetConfig.tiny(o.unetBase(), o.groups(), o.crossDim(), o.heads());
            ObjectNode ucJson = uc.toJson();
            ucJson.put("sample_size", (int) latents.latentShape()[1]);
            ucJson.put("layers_per_block", o.unetLayers());     // 1 instead of SD's 2: half the ops on this CPU
            uc = UNetConfig.fromJson(ucJson);
            UNet2DConditionModel unet;
            if (o.unetInit() != null) {
                // continue a checkpoint (its config wins; the optimiser state starts fresh)
                unet = UNet2DConditionModel.load(o.unetInit().resolve("unet"), root, DataType.FLOAT32);
                uc = unet.config();
                prov.put("unet_init", o.unetInit().toString());
            } else {
                unet = UNet2DConditionModel.declare(uc);
                unet.setWeights(TorchDefaultInit.weights(unet.parameters(), o.seed() + 300), root, DataType.FLOAT32);
            }
            LOG.info("unet: {} parameters, widths {}", unet.parameters().parameterCount(),
                    java.util.Arrays.toString(uc.blockOutChannels()));
            TrainableDenoiser den = EngineAdapters.denoiser(unet);
            DdimScheduler sched = DdimScheduler.load(model.resolve("scheduler"));
            LossCurve unetCurve = new LossCurve("unet", 100);
            final ObjectNode ucf = uc.toJson();
            UNetTrainer.Result ur = UNetTrainer.train(root, den, prompts, sched, latents, scaling,
                    new UNetTrainer.Settings(o.unetSteps(), o.unetBatch(), o.unetLr(),
                            Double.isNaN(o.unetLrFinal()) ? o.unetLr() : o.unetLrFinal(), 100, o.uncondProb(),
                            o.unetMinutes(), o.logEvery(), o.checkpointEvery(), o.unetNoiseSeed()),
                    unetCurve, step -> saveUnet(model, ucf, unet, o.out(), unetCurve, step));
            ObjectNode u = prov.putObject("unet");
            u.put("steps", ur.steps());
            u.put("batch", o.unetBatch());
            u.put("first_loss", unetCurve.size() > 0 ? unetCurve.first() : Double.NaN);
            u.put("final_loss_mean_last_100", ur.finalLoss());
            u.put("seconds", ur.seconds());
            u.put("parameters", unet.parameters().parameterCount());
            prov.put("text_encoder_parameters", textModel.parameterCount());
            prov.put("text_encoder_hidden", text.hiddenSize());
            prov.put("wall_seconds_total", VaeTrainer.seconds(t0));
            prov.put("finished", Instant.now().toString());
            Checkpoints.writeJson(model.resolve("PROVENANCE.json"), prov);
            unet.close();
            vae.close();
            textModel.close();
        }
        var entries = EmbeddedModel.writeManifest(model);
        long bytes = entries.stream().mapToLong(EmbeddedModel.Entry::size).sum();
        LOG.info("model written to {}: {} files, {} bytes, {} s in all", model, entries.size(), bytes,
                VaeTrainer.fmt(VaeTrainer.seconds(t0)));
        return model;
    }

    static VaeConfig vaeConfig(Options o, double scaling) {
        ObjectNode n = ConfigJson.object();
        var b = n.putArray("block_out_channels");
        // x4 down-sampling: 64 px images -> 16 x 16 latents, so UNet features are fine enough to track points
        b.add(o.vaeBase()).add(2 * o.vaeBase()).add(4 * o.vaeBase());
        n.put("layers_per_block", o.vaeLayers());
        n.put("norm_num_groups", o.groups());
        n.put("sample_size", o.size());
        n.put("scaling_factor", scaling);
        return VaeConfig.fromJson(n);
    }

    static VaeConfig withScaling(VaeConfig c, double s) {
        ObjectNode n = c.toJson();
        n.put("scaling_factor", s);
        return VaeConfig.fromJson(n);
    }

    private static void saveVae(Path model, VaeConfig vc, AutoencoderKL vae, Path out, LossCurve curve, int step) {
        try {
            Checkpoints.save(model.resolve("vae"), vc.toJson(), vae.parameters(), AutoencoderKL.WEIGHTS);
            curve.writeCsv(out.resolve("vae_loss.csv"));
            curve.writePng(out.resolve("vae_loss.png"));
            LOG.info("vae checkpoint at step {}", step);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void saveUnet(Path model, ObjectNode uc, UNet2DConditionModel unet, Path out, LossCurve curve,
                                 int step) {
        try {
            Checkpoints.save(model.resolve("unet"), uc, unet.parameters(), UNet2DConditionModel.WEIGHTS);
            curve.writeCsv(out.resolve("unet_loss.csv"));
            curve.writePng(out.resolve("unet_loss.png"));
            LOG.info("unet checkpoint at step {}", step);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void writeScheduler(Path model) throws IOException {
        ObjectNode s = DdimSchedulerConfig.sd15Json();
        Checkpoints.writeJson(model.resolve("scheduler/scheduler_config.json"), s);
    }

    static void writeModelIndex(Path model) throws IOException {
        ObjectNode idx = ConfigJson.object();
        idx.put("_class_name", "StableDiffusionPipeline");
        idx.put("_name_or_path", EmbeddedModel.NAME);
        idx.putArray("unet").add("diffusers").add("UNet2DConditionModel");
        idx.putArray("vae").add("diffusers").add("AutoencoderKL");
        idx.putArray("scheduler").add("diffusers").add("DDIMScheduler");
        idx.putArray("text_encoder").add("transformers").add("CLIPTextModel");
        idx.putArray("tokenizer").add("transformers").add("CLIPTokenizer");
        Checkpoints.writeJson(model.resolve("model_index.json"), idx);
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
