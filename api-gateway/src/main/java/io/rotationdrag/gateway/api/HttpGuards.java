package io.rotationdrag.gateway.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotationdrag.gateway.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * What the HTTP layer does before a request reaches the API:
 * <ul>
 *   <li>a request body must arrive within {@code rd.gateway.body-timeout}, or the answer is 408 and the connection
 *       closes (the idle timeout alone lets a client that trickles a byte now and then hold a connection);</li>
 *   <li>failures of the HTTP layer itself (body over {@code quarkus.http.limits.max-body-size}, a malformed
 *       multipart body) get the API's JSON error shape, never a bare status;</li>
 *   <li>security headers on every answer (pages and API); the editor's files are revalidated on every load.</li>
 * </ul>
 */
@ApplicationScoped
public class HttpGuards {
    private static final Logger LOG = LoggerFactory.getLogger(HttpGuards.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String CSP = "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; "
            + "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    @Inject
    GatewayConfig config;

    @Inject
    Vertx vertx;

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::guard);
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failure);
    }

    private void guard(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        ctx.response().headers()
                .set("X-Content-Type-Options", "nosniff")
                .set("Referrer-Policy", "no-referrer")
                .set("X-Frame-Options", "DENY");
        if (!req.path().startsWith("/q/")) { // the Swagger UI runs inline scripts
            ctx.response().headers().set("Content-Security-Policy", CSP);
        }
        if (!req.path().startsWith("/api/") && !req.path().startsWith("/q/")) {
            // the editor's files: revalidate on every load, so a deploy is seen at once (they are small); with
            // quarkus.http.static-resources.caching-enabled=false the static handler does not replace this
            ctx.response().headers().set("Cache-Control", "no-cache");
        }
        String length = req.getHeader("Content-Length");
        if (length != null && !length.matches("\\d{1,18}")) {
            write(ctx, 400, null, "the Content-Length header is not a number");
            req.connection().close();
            return;
        }
        if (length != null && Long.parseLong(length) > config.maxRequestBytes()) {
            // before the HTTP layer's own body limit (a backstop above this one) answers 413 without a body
            write(ctx, 413, null, "the request body is " + length + " bytes; this server accepts at most "
                    + config.maxRequestBytes());
            req.connection().close();
            return;
        }
        if (req.method() == HttpMethod.POST || req.method() == HttpMethod.PUT || req.method() == HttpMethod.PATCH) {
            long ms = config.bodyTimeout().toMillis();
            long announced = length == null ? -1 : Long.parseLong(length);
            long timer = vertx.setTimer(ms, id -> {
                // the API's body readers take the request over, so isEnded() alone can lag: count the bytes too
                boolean complete = req.isEnded() || (announced >= 0 && req.bytesRead() >= announced);
                if (!complete && !ctx.response().ended() && !ctx.response().headWritten()) {
                    LOG.info("request body of {} {} not complete after {} ms: 408, connection closed", req.method(),
                            req.path(), ms);
                    write(ctx, 408, null, "the request body did not arrive within " + ms / 1000.0 + " s");
                    req.connection().close();
                }
            });
            ctx.addEndHandler(v -> vertx.cancelTimer(timer));
        }
        ctx.next();
    }

    /** Failures outside the API's resources (the API's own errors are mapped by {@link ApiExceptionMappers}). */
    private void failure(RoutingContext ctx) {
        if (ctx.response().headWritten() || ctx.response().ended()) {
            ctx.next();
            return;
        }
        int status = ctx.statusCode();
        Throwable t = ctx.failure();
        if (status == 413) {
            write(ctx, 413, null, "the request body is over this server's limit");
        } else if (status >= 400 && status < 500) {
            write(ctx, status, null, ApiExceptionMappers.frameworkMessage(status));
        } else if (malformedBody(t)) {
            write(ctx, 400, null, "the request body is malformed (multipart/form-data expected for POST "
                    + "/api/v1/jobs)");
        } else {
            String id = UUID.randomUUID().toString();
            LOG.error("error {}: request {} {} failed in the HTTP layer", id, ctx.request().method(),
                    ctx.request().path(), t);
            write(ctx, 500, null, "internal error (error id " + id + "; the server log has the details)");
        }
    }

    static boolean malformedBody(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String n = c.getClass().getName();
            if (n.contains("DecoderException") || n.contains("ErrorDataDecoder") || n.contains("Multipart")
                    || n.contains("MalformedInput") || c instanceof java.io.EOFException) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    static void write(RoutingContext ctx, int status, String field, String message) {
        try {
            var r = ApiExceptionMappers.json(status, field, message, null);
            String body = JSON.writeValueAsString(r.getEntity());
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
        } catch (Exception e) {
            ctx.response().setStatusCode(status).end();
        }
    }
}
