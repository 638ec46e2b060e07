package io.rotationdrag.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Renders infra/k8s (base, overlays cpu and gpu, deps) with {@link MiniKustomize}, loads every object with the
 * fabric8 Kubernetes model (KEDA and operator resources as {@link GenericKubernetesResource}) and checks what a
 * cluster would not tell us until too late: resources and probes, image names = the Maven apps, ScaledObject
 * maxima within the topics' partitions, every RD_* variable set, no credential in plain text, GPU placement, and
 * a termination grace that covers the graceful scale-in. Where {@code kubectl} is on the PATH, its kustomize
 * renders every tree too and must give the same objects. No cluster, no stack.
 */
class ManifestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of(System.getProperty("rotationdrag.repo.root", "../.."))
            .toAbsolutePath().normalize();
    private static final Path K8S = ROOT.resolve("infra/k8s");
    private static final Pattern SECRET_NAME = Pattern.compile(".*(PASSWORD|SECRET|ACCESS_KEY|TOKEN|CREDENTIAL).*");
    private static final Pattern RD_VAR = Pattern.compile("\\$\\{(RD_[A-Z0-9_]+)");

    /** Rendered objects of one tree, typed. */
    record Rendered(List<JsonNode> raw, List<HasMetadata> objects) {
        <T> List<T> all(Class<T> type) {
            return objects.stream().filter(type::isInstance).map(type::cast).toList();
        }

        List<GenericKubernetesResource> generic(String kind) {
            return all(GenericKubernetesResource.class).stream().filter(g -> g.getKind().equals(kind)).toList();
        }
    }

    static Rendered render(String tree) {
        List<JsonNode> raw = new ArrayList<>(MiniKustomize.render(K8S.resolve(tree)));
        List<HasMetadata> typed = new ArrayList<>();
        for (JsonNode n : raw) {
            typed.add(load(n));
        }
        return new Rendered(raw, typed);
    }

    static HasMetadata load(JsonNode n) {
        Class<? extends HasMetadata> type = switch (n.path("apiVersion").asText() + "/" + n.path("kind").asText()) {
            case "apps/v1/Deployment" -> Deployment.class;
            case "v1/ConfigMap" -> ConfigMap.class;
            case "v1/Secret" -> Secret.class;
            case "v1/Service" -> Service.class;
            case "networking.k8s.io/v1/Ingress" -> Ingress.class;
            case "policy/v1/PodDisruptionBudget" -> PodDisruptionBudget.class;
            default -> GenericKubernetesResource.class;
        };
        try {
            HasMetadata o = JSON.treeToValue(n, type);
            assertNotNull(o.getMetadata().getName(), "object without a name: " + n);
            return o;
        } catch (IOException e) {
            throw new AssertionError("not a valid " + type.getSimpleName() + ": " + n, e);
        }
    }

    /** The Quarkus apps of the root pom (modules with an application.properties) = Deployments = images. */
    static List<String> apps() throws IOException {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(pom);
        while (m.find()) {
            if (Files.exists(ROOT.resolve(m.group(1)).resolve("src/main/resources/application.properties"))) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    static String version() throws IOException {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        Matcher m = Pattern.compile("<artifactId>rotationdrag-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(pom);
        assertTrue(m.find(), "project version in the root pom");
        return m.group(1);
    }

    /** RD_* variables a property file reads through ${RD_...} expressions. */
    static Set<String> rdVars(Path props) throws IOException {
        Set<String> out = new TreeSet<>();
        Matcher m = RD_VAR.matcher(Files.readString(props));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    static Set<String> rdVarsOf(String app) throws IOException {
        Set<String> vars = new TreeSet<>(rdVars(ROOT.resolve(
                "infra/service-kit/src/main/resources/META-INF/microprofile-config.properties")));
        vars.addAll(rdVars(ROOT.resolve(app).resolve("src/main/resources/application.properties")));
        return vars;
    }

    @Test
    void everyTreeRendersAndEveryObjectLoads() {
        for (String tree : List.of("base", "overlays/cpu", "overlays/gpu", "deps")) {
            Rendered r = render(tree);
            assertFalse(r.objects().isEmpty(), tree);
            Set<String> ids = new HashSet<>();
            for (HasMetadata o : r.objects()) {
                assertTrue(ids.add(o.getKind() + "/" + o.getMetadata().getName()), "duplicate " + o.getKind() + "/"
                        + o.getMetadata().getName() + " in " + tree);
            }
            System.out.printf("%s: %d objects %s%n", tree, r.objects().size(), r.objects().stream()
                    .collect(Collectors.groupingBy(HasMetadata::getKind, java.util.TreeMap::new,
                            Collectors.counting())));
        }
    }

    @Test
    void everyContainerHasRequestsLimitsAndBothHealthProbes() {
        for (String tree : List.of("overlays/cpu", "overlays/gpu")) {
            for (Deployment d : render(tree).all(Deployment.class)) {
                List<Container> cs = d.getSpec().getTemplate().getSpec().getContainers();
                assertFalse(cs.isEmpty(), d.getMetadata().getName());
                for (Container c : cs) {
                    String where = tree + " " + d.getMetadata().getName() + "/" + c.getName();
                    Map<String, Quantity> req = c.getResources().getRequests();
                    Map<String, Quantity> lim = c.getResources().getLimits();
                    for (String r : List.of("cpu", "memory")) {
                        assertNotNull(req.get(r), where + " requests." + r);
                        assertNotNull(lim.get(r), where + " limits." + r);
                        assertTrue(Quantity.getAmountInBytes(req.get(r)).compareTo(
                                Quantity.getAmountInBytes(lim.get(r))) <= 0, where + " request <= limit for " + r);
                    }
                    assertProbe(c.getLivenessProbe(), "/q/health/live", c, where + " liveness");
                    assertProbe(c.getReadinessProbe(), "/q/health/ready", c, where + " readiness");
                }
            }
        }
    }

    private static void assertProbe(Probe p, String path, Container c, String where) {
        assertNotNull(p, where);
        assertNotNull(p.getHttpGet(), where + " httpGet");
        assertEquals(path, p.getHttpGet().getPath(), where);
        String port = p.getHttpGet().getPort().getStrVal();
        assertTrue(c.getPorts().stream().anyMatch(cp -> cp.getName().equals(port)), where + " port " + port);
    }

    @Test
    void imagesAreTheMavenAppsAndGpuWorkersUseTheirCudaVariant() throws IOException {
        List<String> apps = apps();
        assertEquals(Set.of("api-gateway", "worker-lora", "worker-drag", "worker-eval"), new HashSet<>(apps));
        String v = version();
        for (String tree : List.of("base", "overlays/cpu", "overlays/gpu")) {
            Map<String, String> images = new HashMap<>();
            for (Deployment d : render(tree).all(Deployment.class)) {
                images.put(d.getMetadata().getName(), d.getSpec().getTemplate().getSpec().getContainers().get(0)
                        .getImage());
            }
            assertEquals(new HashSet<>(apps), images.keySet(), tree + ": one Deployment per app");
            for (String app : apps) {
                boolean cuda = tree.endsWith("gpu") && app.startsWith("worker-");
                assertEquals("rotationdrag/" + app + (cuda ? "-cuda" : "") + ":" + v, images.get(app), tree);
            }
        }
    }

    @Test
    void gpuOverlayPutsOneGpuPerWorkerOnGpuNodesAndCpuHasNone() {
        for (Deployment d : render("overlays/gpu").all(Deployment.class)) {
            var spec = d.getSpec().getTemplate().getSpec();
            Container c = spec.getContainers().get(0);
            if (d.getMetadata().getName().startsWith("worker-")) {
                assertEquals(new Quantity("1"), c.getResources().getLimits().get("nvidia.com/gpu"));
                assertFalse(spec.getNodeSelector() == null || spec.getNodeSelector().isEmpty());
                assertTrue(spec.getTolerations().stream().anyMatch(t -> "nvidia.com/gpu".equals(t.getKey())));
            } else {
                assertNull(c.getResources().getLimits().get("nvidia.com/gpu"), d.getMetadata().getName());
            }
        }
        for (JsonNode n : render("overlays/cpu").raw()) {
            assertFalse(n.toString().contains("nvidia"), "cpu overlay mentions nvidia: " + n.path("metadata"));
        }
    }

    @Test
    void everyScaledObjectStaysWithinItsTopicsPartitionsAndScalesAWorker() {
        Map<String, Integer> partitions = new HashMap<>();
        for (GenericKubernetesResource t : render("deps").generic("KafkaTopic")) {
            Map<String, Object> spec = t.get("spec");
            partitions.put((String) spec.get("topicName"), ((Number) spec.get("partitions")).intValue());
        }
        assertEquals(9, partitions.size(), "3 stage topics with .retry and .dlq");
        for (String tree : List.of("overlays/cpu", "overlays/gpu")) {
            Rendered r = render(tree);
            Set<String> deployments = r.all(Deployment.class).stream().map(d -> d.getMetadata().getName())
                    .collect(Collectors.toSet());
            List<GenericKubernetesResource> sos = r.generic("ScaledObject");
            assertEquals(Set.of("worker-lora", "worker-drag", "worker-eval"),
                    sos.stream().map(s -> s.getMetadata().getName()).collect(Collectors.toSet()));
            for (GenericKubernetesResource so : sos) {
                JsonNode spec = JSON.valueToTree(so.getAdditionalProperties().get("spec"));
                String target = spec.path("scaleTargetRef").path("name").asText();
                assertTrue(deployments.contains(target), "scale target " + target);
                int min = spec.path("minReplicaCount").asInt(-1);
                int max = spec.path("maxReplicaCount").asInt(-1);
                assertTrue(min == 0 || min == 1, "minReplicaCount " + min);
                assertTrue(max >= Math.max(1, min), "maxReplicaCount " + max);
                int kafkaTriggers = 0;
                for (JsonNode trig : spec.path("triggers")) {
                    if (!"kafka".equals(trig.path("type").asText())) {
                        continue;
                    }
                    kafkaTriggers++;
                    String topic = trig.path("metadata").path("topic").asText();
                    Integer p = partitions.get(topic);
                    assertNotNull(p, "topic " + topic + " of " + target + " is not a KafkaTopic in deps");
                    assertTrue(max <= p, target + ": maxReplicaCount " + max + " > " + p + " partitions of " + topic);
                    // StageWorker's group is "rd-worker-" + stage id; the worker module is worker-<stage id>.
                    assertEquals("rd-" + target, trig.path("metadata").path("consumerGroup").asText());
                    assertEquals("rd.stage." + target.substring("worker-".length()), topic);
                    assertTrue(Integer.parseInt(trig.path("metadata").path("lagThreshold").asText()) >= 1);
                }
                assertEquals(1, kafkaTriggers, target + " has one Kafka lag trigger");
            }
        }
    }

    /** Names a container gets: env entries, and the keys of ConfigMaps / Secrets it takes whole. */
    private static Map<String, EnvVar> envOf(Container c, Rendered r) {
        Map<String, EnvVar> out = new HashMap<>();
        if (c.getEnvFrom() != null) {
            for (EnvFromSource f : c.getEnvFrom()) {
                if (f.getConfigMapRef() != null) {
                    ConfigMap cm = r.all(ConfigMap.class).stream()
                            .filter(x -> x.getMetadata().getName().equals(f.getConfigMapRef().getName())).findFirst()
                            .orElseThrow(() -> new AssertionError("no ConfigMap " + f.getConfigMapRef().getName()));
                    cm.getData().forEach((k, v) -> out.put(k, new EnvVar(k, v, null)));
                }
                assertNull(f.getSecretRef(), c.getName() + ": take secrets key by key (secretKeyRef), not whole");
            }
        }
        if (c.getEnv() != null) {
            c.getEnv().forEach(e -> out.put(e.getName(), e));
        }
        return out;
    }

    @Test
    void everyRdVariableTheServicesReadIsSet() throws IOException {
        for (String tree : List.of("overlays/cpu", "overlays/gpu")) {
            Rendered r = render(tree);
            for (Deployment d : r.all(Deployment.class)) {
                String app = d.getMetadata().getName();
                Set<String> need = rdVarsOf(app);
                assertTrue(need.containsAll(Set.of("RD_KAFKA_BOOTSTRAP", "RD_DB_URL", "RD_S3_ENDPOINT",
                        "RD_DB_PASSWORD", "RD_S3_SECRET_KEY")), "property scan found " + need);
                Set<String> have = envOf(d.getSpec().getTemplate().getSpec().getContainers().get(0), r).keySet();
                Set<String> missing = new TreeSet<>(need);
                missing.removeAll(have);
                assertTrue(missing.isEmpty(), tree + " " + app + " lacks " + missing);
            }
        }
    }

    @Test
    void noCredentialInPlainText() {
        for (String tree : List.of("overlays/cpu", "overlays/gpu")) {
            Rendered r = render(tree);
            List<Secret> secrets = r.all(Secret.class);
            assertFalse(secrets.isEmpty());
            List<String> secretValues = new ArrayList<>();
            for (Secret s : secrets) {
                assertEquals("true", s.getMetadata().getAnnotations().get("rotationdrag.io/placeholder"),
                        "Secret " + s.getMetadata().getName() + " in git must be marked a placeholder");
                Map<String, String> values = new HashMap<>();
                if (s.getStringData() != null) {
                    values.putAll(s.getStringData());
                }
                if (s.getData() != null) {
                    s.getData().forEach((k, v) -> values.put(k, new String(Base64.getDecoder().decode(v),
                            StandardCharsets.UTF_8)));
                }
                values.forEach((k, v) -> {
                    assertTrue(v.contains("PLACEHOLDER"), s.getMetadata().getName() + "/" + k + " is not a placeholder");
                    secretValues.add(v);
                });
            }
            for (ConfigMap cm : r.all(ConfigMap.class)) {
                cm.getData().keySet().forEach(k -> assertFalse(SECRET_NAME.matcher(k).matches(),
                        "credential " + k + " in ConfigMap " + cm.getMetadata().getName()));
            }
            for (Deployment d : r.all(Deployment.class)) {
                for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
                    for (EnvVar e : c.getEnv()) {
                        if (SECRET_NAME.matcher(e.getName()).matches()) {
                            assertNull(e.getValue(), d.getMetadata().getName() + " " + e.getName() + " in plain text");
                            var ref = e.getValueFrom().getSecretKeyRef();
                            assertNotNull(ref, e.getName() + " must come from a secretKeyRef");
                            Secret s = secrets.stream().filter(x -> x.getMetadata().getName().equals(ref.getName()))
                                    .findFirst().orElseThrow(() -> new AssertionError("no Secret " + ref.getName()));
                            assertTrue(s.getStringData().containsKey(ref.getKey()), ref.getName() + "/" + ref.getKey());
                        }
                    }
                }
            }
            for (JsonNode n : r.raw()) {
                if (!"Secret".equals(n.path("kind").asText())) {
                    for (String v : secretValues) {
                        assertFalse(n.toString().contains(v), "a Secret value appears in " + n.path("kind").asText()
                                + "/" + n.path("metadata").path("name").asText());
                    }
                }
            }
        }
    }

    @Test
    void terminationGraceCoversTheGracefulScaleIn() {
        Rendered r = render("overlays/gpu");
        for (Deployment d : r.all(Deployment.class)) {
            if (!d.getMetadata().getName().startsWith("worker-")) {
                continue;
            }
            Map<String, EnvVar> env = envOf(d.getSpec().getTemplate().getSpec().getContainers().get(0), r);
            long grace = seconds(env.get("RD_WORKER_SHUTDOWN_GRACE").getValue());
            long release = seconds(env.get("RD_WORKER_RELEASE_WAIT").getValue());
            // WorkerRuntime.stop: loops end (join <= 10 s incl. the consumer's 5 s close), grace, release wait;
            // plus 60 s for the longest uninterruptible step (README: one SD 1.5 UNet forward+backward on CPU).
            long needed = 10 + grace + release + 60;
            long tgps = d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
            assertTrue(tgps >= needed, d.getMetadata().getName() + ": terminationGracePeriodSeconds " + tgps
                    + " < " + needed);
            assertTrue(r.all(PodDisruptionBudget.class).stream().anyMatch(p -> p.getMetadata().getName()
                    .equals(d.getMetadata().getName())), "PodDisruptionBudget for " + d.getMetadata().getName());
        }
        assertTrue(r.all(Ingress.class).stream().anyMatch(i -> i.getSpec().getRules().get(0).getHttp().getPaths()
                .get(0).getBackend().getService().getName().equals("api-gateway")));
        assertTrue(r.all(Service.class).stream().anyMatch(s -> s.getMetadata().getName().equals("api-gateway")));
    }

    private static long seconds(String d) {
        return Duration.parse("PT" + d.toUpperCase()).toSeconds();
    }

    /** Where kubectl exists, its kustomize must render the same objects as MiniKustomize. */
    @Test
    void miniKustomizeAgreesWithKubectlWhereKubectlExists() throws Exception {
        String kubectl = findOnPath("kubectl");
        if (kubectl == null) {
            System.out.println("kubectl not on PATH: MiniKustomize output not cross-checked");
            return;
        }
        for (String tree : List.of("base", "overlays/cpu", "overlays/gpu", "deps")) {
            Process p = new ProcessBuilder(kubectl, "kustomize", K8S.resolve(tree).toString())
                    .redirectErrorStream(false).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), "kubectl kustomize " + tree + ": " + err);
            Set<String> theirs = normalise(MiniKustomize.parseStream(out));
            Set<String> ours = normalise(MiniKustomize.render(K8S.resolve(tree)).stream()
                    .map(n -> (JsonNode) n).toList());
            assertEquals(theirs, ours, tree);
            System.out.printf("kubectl kustomize %s: %d objects, identical to MiniKustomize%n", tree, theirs.size());
        }
    }

    /** Objects as canonical JSON (keys sorted, numbers as text: kubectl may print 1 where YAML read "1"). */
    private static Set<String> normalise(List<JsonNode> docs) throws IOException {
        ObjectMapper sorted = new ObjectMapper().configure(
                com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
        Set<String> out = new TreeSet<>();
        for (JsonNode n : docs) {
            Object tree = sorted.treeToValue(n, Object.class);
            out.add(sorted.writeValueAsString(tree));
        }
        return out;
    }

    private static String findOnPath(String exe) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, exe);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

}
