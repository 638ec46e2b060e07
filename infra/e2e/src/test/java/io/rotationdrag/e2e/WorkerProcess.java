package io.rotationdrag.e2e;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One packaged worker app ({@code <module>/target/quarkus-app/quarkus-run.jar}) as a child process with the RD_*
 * environment, its own worker id and HTTP port, output to {@code target/e2e-logs/<name>.log}. The JVM gets the
 * settings the root pom gives tests (DJL offline, 2 threads, DJL_CACHE_DIR).
 */
public final class WorkerProcess implements AutoCloseable {
    private final String name;
    private final String workerId;
    private final int port;
    private final Process process;
    private final Path log;

    private WorkerProcess(String name, String workerId, int port, Process process, Path log) {
        this.name = name;
        this.workerId = workerId;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    public static Path repoRoot() {
        String p = System.getProperty("rotationdrag.repo.root");
        Path root = p != null ? Path.of(p) : Path.of("").toAbsolutePath().getParent().getParent();
        if (!Files.isRegularFile(root.resolve("pom.xml")) || !Files.isDirectory(root.resolve("worker-drag"))) {
            throw new IllegalStateException("not the repository root: " + root);
        }
        return root;
    }

    public static Path appJar(String module) {
        Path jar = repoRoot().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package the app first (mvn -pl infra/e2e -am verify "
                    + "builds it in the reactor)");
        }
        return jar;
    }

    /**
     * Starts {@code module} as worker {@code workerId}; {@code extraEnv} adds or overrides variables
     * (RD_MODEL_DIR, RD_STAGE_LEASE, ...).
     */
    public static WorkerProcess start(String module, String workerId, Map<String, String> extraEnv) throws IOException {
        // an app that reads its port from another variable (the gateway: RD_GATEWAY_PORT) is given RD_HTTP_PORT
        int port = extraEnv.containsKey("RD_HTTP_PORT") ? Integer.parseInt(extraEnv.get("RD_HTTP_PORT")) : freePort();
        Path logs = Files.createDirectories(repoRoot().resolve("infra/e2e/target/e2e-logs"));
        Path log = logs.resolve(workerId.replaceAll("[^A-Za-z0-9._-]", "_") + ".log");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1500m", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=2",
                "-jar", appJar(module).toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        env.put("RD_WORKER_ID", workerId);
        env.put("RD_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port)); // also for apps that do not map RD_HTTP_PORT
        // Under a loaded machine, opening the first connections can take longer than agroal's 5 s default.
        env.put("QUARKUS_DATASOURCE_JDBC_ACQUISITION_TIMEOUT", "60s");
        env.put("OMP_NUM_THREADS", "2");
        env.putIfAbsent("DJL_CACHE_DIR", Path.of(System.getProperty("user.home"), ".djl.ai").toString());
        env.putAll(extraEnv);
        Files.writeString(log, "=== start " + workerId + " " + cmd + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        Process proc = pb.start();
        // A test JVM that stops (SIGTERM, end of run) takes its workers along; kill -9 of the JVM cannot.
        Runtime.getRuntime().addShutdownHook(new Thread(proc::destroyForcibly));
        return new WorkerProcess(module, workerId, port, proc, log);
    }

    public int port() {
        return port;
    }

    public String workerId() {
        return workerId;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until /q/health/ready answers 200 (model loaded, Kafka, S3 and outbox up). */
    public WorkerProcess awaitReady(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException(workerId + " exited with " + process.exitValue() + " before it was "
                        + "ready; log " + log + ":\n" + tail());
            }
            if (get("/q/health/ready").startsWith("200")) {
                return this;
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException(workerId + " not ready within " + timeout + "; log " + log + ":\n" + tail());
    }

    /** "code body" of a GET on this worker's HTTP port, or "" when it does not answer. */
    public String get(String path) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL()
                    .openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(5000);
            int code = c.getResponseCode();
            var in = code < 400 ? c.getInputStream() : c.getErrorStream();
            String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return code + " " + body;
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGTERM, as Kubernetes sends on scale-in; returns at once (see {@link #awaitExit}). */
    public void sigterm() {
        process.destroy();
    }

    /** Waits for the process to end; false when it is still running after the timeout. */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** kill -9: no shutdown hook runs, the lease is left to expire. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy(); // SIGTERM: Quarkus shuts down, consumers leave the group
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public String toString() {
        return name + "[" + workerId + ", pid " + process.pid() + ", port " + port + "]";
    }
}
