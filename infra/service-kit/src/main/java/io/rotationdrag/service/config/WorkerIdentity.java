package io.rotationdrag.service.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.InetAddress;

/** The id this process writes into leases and stage records. */
@ApplicationScoped
public class WorkerIdentity {
    private final String id;

    @Inject
    public WorkerIdentity(RdConfig config) {
        this.id = config.worker().id().filter(s -> !s.isBlank()).orElseGet(WorkerIdentity::defaultId);
    }

    public String id() {
        return id;
    }

    private static String defaultId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
