package io.rotationdrag.gateway;

import io.quarkus.runtime.StartupEvent;
import io.rotationdrag.service.config.RdConfig;
import io.rotationdrag.service.kafka.TopicAdmin;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gateway publishes the first stage's messages, so it makes sure the stage topics exist (like the workers). */
@ApplicationScoped
public class GatewayStartup {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayStartup.class);

    @Inject
    RdConfig config;

    @Inject
    TopicAdmin topics;

    void start(@Observes StartupEvent ev) {
        if (!config.kafka().createTopics()) {
            return;
        }
        try {
            topics.ensureTopics();
        } catch (RuntimeException e) {
            // Not fatal: readiness reports Kafka down, and the outbox keeps the messages until it answers.
            LOG.warn("could not ensure the stage topics: {}", e.toString());
        }
    }
}
