package io.rotationdrag.service.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.FixedHostPortGenericContainer;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Real Kafka, PostgreSQL and S3 for Quarkus tests.
 *
 * <ol>
 *   <li>When RD_KAFKA_BOOTSTRAP, RD_DB_URL and RD_S3_ENDPOINT are set (source {@code .rd-state/env.sh} after
 *       {@code bash infra/local/stack up}), those services are used.</li>
 *   <li>Otherwise, when a Docker engine answers, Testcontainers starts PostgreSQL 15, Kafka 4 (KRaft) and
 *       MinIO.</li>
 *   <li>Otherwise the test FAILS with instructions: it is never skipped silently.</li>
 * </ol>
 */
public class RdServicesTestResource implements QuarkusTestResourceLifecycleManager {
    static final String[] REQUIRED = {"RD_KAFKA_BOOTSTRAP", "RD_DB_URL", "RD_S3_ENDPOINT"};

    private final List<GenericContainer<?>> containers = new ArrayList<>();

    @Override
    public Map<String, String> start() {
        Map<String, String> env = System.getenv();
        List<String> missing = new ArrayList<>();
        for (String k : REQUIRED) {
            if (env.get(k) == null || env.get(k).isBlank()) {
                missing.add(k);
            }
        }
        if (missing.isEmpty()) {
            return fromEnvironment(env);
        }
        if (missing.size() < REQUIRED.length) {
            throw new IllegalStateException("Partial service environment: " + missing + " missing while "
                    + "others are set. Run `bash infra/local/stack up && source .rd-state/env.sh` and retry.");
        }
        boolean docker;
        try {
            docker = DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            docker = false;
        }
        if (!docker) {
            throw new IllegalStateException("No Kafka/PostgreSQL/S3 for the integration tests: neither "
                    + String.join(", ", REQUIRED) + " are set nor is a Docker engine available for Testcontainers. "
                    + "Start the local stack: `bash infra/local/stack up && source .rd-state/env.sh` "
                    + "(then re-run the tests in that shell).");
        }
        return fromContainers();
    }

    private static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> c = new HashMap<>();
        c.put("rd.kafka.bootstrap", env.get("RD_KAFKA_BOOTSTRAP"));
        c.put("quarkus.datasource.jdbc.url", env.get("RD_DB_URL"));
        c.put("quarkus.datasource.username", env.getOrDefault("RD_DB_USER", "rotationdrag"));
        c.put("quarkus.datasource.password", env.getOrDefault("RD_DB_PASSWORD", "rotationdrag"));
        c.put("rd.s3.endpoint", env.get("RD_S3_ENDPOINT"));
        c.put("rd.s3.access-key", env.getOrDefault("RD_S3_ACCESS_KEY", "rotationdrag"));
        c.put("rd.s3.secret-key", env.getOrDefault("RD_S3_SECRET_KEY", "rotationdrag-secret"));
        return c;
    }

    @SuppressWarnings({"resource", "deprecation"})
    private Map<String, String> fromContainers() {
        GenericContainer<?> pg = new GenericContainer<>("postgres:15")
                .withEnv("POSTGRES_DB", "rotationdrag").withEnv("POSTGRES_USER", "rotationdrag")
                .withEnv("POSTGRES_PASSWORD", "rotationdrag").withExposedPorts(5432)
                .waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*", 2));
        int kafkaPort = freePort();
        // Kafka must advertise the host-reachable port, so that port is fixed before start.
        GenericContainer<?> kafka = new FixedHostPortGenericContainer<>("apache/kafka:4.1.1")
                .withFixedExposedPort(kafkaPort, kafkaPort)
                .withEnv("KAFKA_NODE_ID", "1")
                .withEnv("KAFKA_PROCESS_ROLES", "broker,controller")
                .withEnv("KAFKA_LISTENERS", "PLAINTEXT://0.0.0.0:" + kafkaPort + ",CONTROLLER://0.0.0.0:9093")
                .withEnv("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://localhost:" + kafkaPort)
                .withEnv("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER")
                .withEnv("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT")
                .withEnv("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@localhost:9093")
                .withEnv("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                .waitingFor(Wait.forLogMessage(".*Kafka Server started.*", 1))
                .withStartupTimeout(Duration.ofMinutes(2));
        GenericContainer<?> minio = new GenericContainer<>("minio/minio:latest")
                .withEnv("MINIO_ROOT_USER", "rotationdrag").withEnv("MINIO_ROOT_PASSWORD", "rotationdrag-secret")
                .withCommand("server", "/data").withExposedPorts(9000)
                .waitingFor(Wait.forHttp("/minio/health/ready").forPort(9000));
        containers.add(pg);
        containers.add(kafka);
        containers.add(minio);
        containers.forEach(GenericContainer::start);
        Map<String, String> c = new HashMap<>();
        c.put("rd.kafka.bootstrap", "localhost:" + kafkaPort);
        c.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://" + pg.getHost() + ":" + pg.getMappedPort(5432)
                + "/rotationdrag");
        c.put("quarkus.datasource.username", "rotationdrag");
        c.put("quarkus.datasource.password", "rotationdrag");
        c.put("rd.s3.endpoint", "http://" + minio.getHost() + ":" + minio.getMappedPort(9000));
        c.put("rd.s3.access-key", "rotationdrag");
        c.put("rd.s3.secret-key", "rotationdrag-secret");
        return c;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        for (GenericContainer<?> c : containers) {
            c.stop();
        }
        containers.clear();
    }
}
