package io.rotationdrag.gateway.auth;

import io.rotationdrag.gateway.GatewayMetrics;
import io.rotationdrag.gateway.api.ApiException;
import io.rotationdrag.gateway.api.ApiExceptionMappers;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every {@code /api/v1} call and every report page needs a credential: {@code Authorization: Bearer <API key>}, or,
 * for a GET of one job's or sweep's resources only, a signed link ({@code ?access=}, {@link SignedLinks}) as the
 * job's and sweep's JSON hand out for event streams and images. Cross-site form posts cannot authenticate: a form
 * sends no Authorization header, and signed links open no POST or DELETE (the API uses no cookies, so there is no
 * ambient credential to forge requests with).
 */
public class AuthFilter {
    /** /api/v1/jobs/{id}/..., /api/v1/sweeps/{id}/..., /sweeps/{id}: the resource a signed link may open. */
    private static final Pattern LINKABLE = Pattern.compile(
            "^/(?:api/v1/)?(jobs|sweeps)/([0-9a-fA-F-]{36})(?:/.*)?$");

    @Inject
    ApiKeys keys;

    @Inject
    SignedLinks links;

    @Inject
    Caller caller;

    @Inject
    GatewayMetrics metrics;

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Optional<Response> authenticate(ContainerRequestContext ctx) {
        String path = ctx.getUriInfo().getPath();
        if (!(path.startsWith("/api/") || path.startsWith("/sweeps/"))) {
            return Optional.empty();
        }
        String header = ctx.getHeaderString("Authorization");
        if (header != null) {
            if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return refuse(ctx, "the Authorization header must be 'Bearer <API key>'");
            }
            Optional<Principal> p = keys.authenticate(header.substring(7).strip());
            if (p.isEmpty()) {
                return refuse(ctx, "the API key is not valid");
            }
            caller.set(p.get());
            return Optional.empty();
        }
        String token = ctx.getUriInfo().getQueryParameters().getFirst(SignedLinks.PARAM);
        if (token != null && "GET".equals(ctx.getMethod())) {
            Matcher m = LINKABLE.matcher(path);
            if (m.matches()) {
                String resource = m.group(1).substring(0, m.group(1).length() - 1) + ":" + m.group(2).toLowerCase();
                Optional<String> owner = links.verify(token, resource);
                if (owner.isPresent()) {
                    // the link's holder reads as the owner, and only this resource
                    caller.set(new Principal(owner.get(), false));
                    return Optional.empty();
                }
                return refuse(ctx, "the signed link is not valid for this resource or has "
                        + "expired; fetch the job or sweep again for a fresh one");
            }
        }
        return refuse(ctx, "an API key is required: send 'Authorization: Bearer <key>'");
    }

    private Optional<Response> refuse(ContainerRequestContext ctx, String message) {
        if ("POST".equals(ctx.getMethod()) && ctx.getUriInfo().getPath().equals("/api/v1/jobs")) {
            metrics.rejected("unauthenticated");
        }
        return Optional.of(response(unauthorized(message)));
    }

    static ApiException unauthorized(String message) {
        return new ApiException(401, null, message, Map.of("WWW-Authenticate", "Bearer realm=\"rotationdrag\""));
    }

    private static Response response(ApiException e) {
        return new ApiExceptionMappers().api(e);
    }
}
