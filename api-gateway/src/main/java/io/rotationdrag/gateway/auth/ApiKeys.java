package io.rotationdrag.gateway.auth;

import io.rotationdrag.gateway.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The configured API keys ({@code rd.gateway.auth.keys} / RD_API_KEYS): entries {@code principal:role:sha256hex}.
 * Only the SHA-256 of each key is configured, so neither the configuration nor a leaked environment holds a usable
 * key. A presented key is hashed and looked up; API keys are long random strings, so an unsalted fast hash is
 * enough (no dictionary to guess from), unlike passwords.
 */
@ApplicationScoped
public class ApiKeys {
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeys.class);

    private final Map<String, Principal> byHash = new HashMap<>();

    @Inject
    public ApiKeys(GatewayConfig config) {
        for (String entry : config.auth().keys().orElse(List.of())) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            String[] p = e.split(":");
            if (p.length != 3 || !p[2].matches("[0-9a-fA-F]{64}")
                    || !(p[1].equals("user") || p[1].equals("admin"))) {
                throw new IllegalStateException("rd.gateway.auth.keys: entry '" + p[0] + ":...' is not "
                        + "principal:role:sha256hex with role user or admin");
            }
            byHash.put(p[2].toLowerCase(Locale.ROOT), new Principal(p[0], p[1].equals("admin")));
        }
        if (byHash.isEmpty()) {
            LOG.warn("no API keys configured (rd.gateway.auth.keys / RD_API_KEYS): every /api/v1 call answers 401. "
                    + "infra/local/stack writes a development key to its env.sh.");
        } else {
            LOG.info("{} API key(s) configured", byHash.size());
        }
    }

    /** The principal of a presented key, if it is one of the configured keys. */
    public Optional<Principal> authenticate(String key) {
        if (key == null || key.isEmpty() || key.length() > 512) {
            return Optional.empty();
        }
        return Optional.ofNullable(byHash.get(sha256(key)));
    }

    /** Hex SHA-256 of a key, as configured ({@code printf %s KEY | sha256sum}). */
    public static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
