package io.rotationdrag.gateway.api;

import io.rotationdrag.gateway.jobs.JobNotFinishedException;
import io.rotationdrag.service.blob.BlobStore;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every error of the API as a JSON {@link ApiError}, never an HTML page or an empty body. */
public class ApiExceptionMappers {
    private static final Logger LOG = LoggerFactory.getLogger(ApiExceptionMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return json(e.status(), e.field(), e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response notFinished(JobNotFinishedException e) {
        return json(409, null, e.getMessage(), e.state().name());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        return json(status, null, e.getMessage(), null);
    }

    /** The object store did not answer: the request may be retried (with the same Idempotency-Key). */
    @ServerExceptionMapper
    public Response store(BlobStore.BlobStoreException e) {
        LOG.warn("object store failure: {}", e.getMessage());
        return json(503, null, "object store unavailable, retry later: " + e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("request failed", e);
        return json(500, null, "internal error: " + e, null);
    }

    public static Response json(int status, String field, String message, String state) {
        Response.Status s = Response.Status.fromStatusCode(status);
        String phrase = s == null ? String.valueOf(status) : s.getReasonPhrase();
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new ApiError(status, phrase, field, message, state)).build();
    }
}
