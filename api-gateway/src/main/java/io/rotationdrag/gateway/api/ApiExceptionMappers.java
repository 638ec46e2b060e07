package io.rotationdrag.gateway.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.rotationdrag.gateway.jobs.JobNotFinishedException;
import io.rotationdrag.service.blob.BlobStore;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * Every error of the API as a JSON {@link ApiError}, never an HTML page, an empty body or internals: messages of
 * unexpected exceptions (SQL, class names, Jackson settings) stay in the log under an error id that the answer
 * carries.
 */
public class ApiExceptionMappers {
    private static final Logger LOG = LoggerFactory.getLogger(ApiExceptionMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        Response.ResponseBuilder b = builder(e.status(), e.field(), e.getMessage(), null);
        e.headers().forEach(b::header);
        return b.build();
    }

    @ServerExceptionMapper
    public Response notFinished(JobNotFinishedException e) {
        return json(409, null, e.getMessage(), e.state().name());
    }

    /** A JSON body that does not parse or does not fit the request's type (e.g. the sweep body). */
    @ServerExceptionMapper
    public Response jsonBody(JsonProcessingException e) {
        return json(400, JsonErrors.field(e, null), JsonErrors.message(e, "the request body"), null);
    }

    // The same for the subtypes quarkus-rest-jackson maps itself (a mapper of the exact type wins over ours of
    // the supertype, and its answers carry Jackson's wording).
    @ServerExceptionMapper
    public Response jsonSyntax(JsonParseException e) {
        return jsonBody(e);
    }

    @ServerExceptionMapper
    public Response jsonEnd(JsonEOFException e) {
        return jsonBody(e);
    }

    @ServerExceptionMapper
    public Response jsonMapping(JsonMappingException e) {
        return jsonBody(e);
    }

    @ServerExceptionMapper
    public Response jsonMismatch(MismatchedInputException e) {
        return jsonBody(e);
    }

    @ServerExceptionMapper
    public Response jsonFormat(InvalidFormatException e) {
        return jsonBody(e);
    }

    @ServerExceptionMapper
    public Response jsonUnknown(UnrecognizedPropertyException e) {
        return jsonBody(e);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException j) {
            return jsonBody(j);
        }
        if (status >= 500) {
            return unexpected(e);
        }
        return json(status, null, frameworkMessage(status), null);
    }

    /** The object store did not answer: the request may be retried (with the same Idempotency-Key). */
    @ServerExceptionMapper
    public Response store(BlobStore.BlobStoreException e) {
        String id = UUID.randomUUID().toString();
        LOG.warn("error {}: object store failure: {}", id, e.getMessage());
        return builder(503, null, "the object store is unavailable, retry later (error id " + id + ")", null)
                .header("Retry-After", "10").build();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        if (e instanceof JsonMappingException j) {
            return jsonBody(j);
        }
        if (malformedForm(e)) {
            return json(400, null, "the request body is malformed (a complete multipart/form-data body is expected)",
                    null);
        }
        String id = UUID.randomUUID().toString();
        LOG.error("error {}: request failed", id, e);
        return json(500, null, "internal error (error id " + id + "; the server log has the details)", null);
    }

    /** The multipart parser gave up on the body (cut off, bad boundary): the client's fault, not ours. */
    static boolean malformedForm(Throwable e) {
        if (HttpGuards.malformedBody(e)) {
            return true;
        }
        if (e instanceof java.io.IOException) {
            for (StackTraceElement f : e.getStackTrace()) {
                if (f.getClassName().contains("MultiPartParser") || f.getClassName().contains("FormBodyHandler")
                        || f.getClassName().contains("FormParser")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** What a framework-raised 4xx means, without the framework's wording. */
    static String frameworkMessage(int status) {
        return switch (status) {
            case 400 -> "the request is malformed";
            case 401 -> "an API key is required: send 'Authorization: Bearer <key>'";
            case 404 -> "no such resource";
            case 405 -> "method not allowed on this resource";
            case 406 -> "the requested media type is not available for this resource";
            case 413 -> "the request body is too large";
            case 415 -> "unsupported content type for this resource";
            default -> "the request was refused (HTTP " + status + ")";
        };
    }

    public static Response json(int status, String field, String message, String state) {
        return builder(status, field, message, state).build();
    }

    static Response.ResponseBuilder builder(int status, String field, String message, String state) {
        Response.Status s = Response.Status.fromStatusCode(status);
        String phrase = s == null ? (status == 429 ? "Too Many Requests" : String.valueOf(status)) : s.getReasonPhrase();
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new ApiError(status, phrase, field, message, state));
    }
}
