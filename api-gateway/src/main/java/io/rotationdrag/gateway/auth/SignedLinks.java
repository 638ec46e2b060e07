package io.rotationdrag.gateway.auth;

import io.rotationdrag.gateway.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Short-lived signed read links for what a browser fetches without headers (EventSource, {@code <img>}, download
 * links, the HTML report): {@code ?access=<owner>.<expiry>.<hmac>}, HMAC-SHA256 over owner, resource and expiry.
 * A link opens GETs of its one resource (a job or a sweep) until it expires, and nothing else.
 */
@ApplicationScoped
public class SignedLinks {
    public static final String PARAM = "access";
    private final byte[] secret;
    private final long ttlSeconds;

    @Inject
    public SignedLinks(GatewayConfig config) {
        this.secret = config.auth().linkSecret().filter(s -> !s.isBlank())
                .map(s -> s.getBytes(StandardCharsets.UTF_8)).orElseGet(() -> {
                    byte[] b = new byte[32];
                    new SecureRandom().nextBytes(b);
                    return b;
                });
        this.ttlSeconds = config.auth().linkTtl().toSeconds();
    }

    /** @param resource "job:<uuid>" or "sweep:<uuid>" */
    public String token(String owner, String resource) {
        long expiry = Instant.now().getEpochSecond() + ttlSeconds;
        return owner + "." + expiry + "." + mac(owner, resource, expiry);
    }

    /** The owner the token was issued to, when it is valid for this resource now. */
    public Optional<String> verify(String token, String resource) {
        if (token == null) {
            return Optional.empty();
        }
        String[] p = token.split("\\.");
        if (p.length != 3) {
            return Optional.empty();
        }
        long expiry;
        try {
            expiry = Long.parseLong(p[1]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (expiry < Instant.now().getEpochSecond()) {
            return Optional.empty();
        }
        byte[] expected = mac(p[0], resource, expiry).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, p[2].getBytes(StandardCharsets.US_ASCII)) ? Optional.of(p[0])
                : Optional.empty();
    }

    private String mac(String owner, String resource, long expiry) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] d = m.doFinal((owner + "\n" + resource + "\n" + expiry).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
