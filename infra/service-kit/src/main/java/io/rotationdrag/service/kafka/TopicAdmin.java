package io.rotationdrag.service.kafka;

import io.rotationdrag.jobs.Stage;
import io.rotationdrag.service.config.KafkaSettings;
import io.rotationdrag.service.config.RdConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Creates the stage, retry and dead-letter topics when missing; answers readiness with a cluster round trip. */
@ApplicationScoped
public class TopicAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);

    @Inject
    RdConfig config;

    private volatile boolean ensured;

    public static List<String> allTopics() {
        List<String> t = new ArrayList<>();
        for (Stage s : Stage.values()) {
            t.add(s.topic());
            t.add(s.retryTopic());
            t.add(s.dlqTopic());
        }
        return t;
    }

    /** Idempotent; returns after the topics exist (or throws). */
    public synchronized void ensureTopics() {
        if (ensured || !config.kafka().createTopics()) {
            return;
        }
        try (Admin admin = Admin.create(new KafkaSettings(config.kafka().bootstrap()).admin())) {
            Set<String> existing = admin.listTopics().names().get(15, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String t : allTopics()) {
                if (!existing.contains(t)) {
                    missing.add(new NewTopic(t, config.kafka().partitions(), (short) 1));
                }
            }
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                    LOG.info("created topics {}", missing.stream().map(NewTopic::name).toList());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            ensured = true;
        } catch (Exception e) {
            throw new IllegalStateException("cannot ensure Kafka topics at " + config.kafka().bootstrap() + ": " + e, e);
        }
    }

    public boolean ping() {
        try (Admin admin = Admin.create(new KafkaSettings(config.kafka().bootstrap()).admin())) {
            admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
