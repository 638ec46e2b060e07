package io.rotationdrag.gateway.jobs;

import io.rotationdrag.gateway.GatewayConfig;
import io.rotationdrag.gateway.GatewayMetrics;
import io.rotationdrag.gateway.api.ApiError;
import io.rotationdrag.gateway.api.ApiException;
import io.rotationdrag.gateway.api.QueryParams;
import io.rotationdrag.gateway.api.TextInput;
import io.rotationdrag.gateway.auth.Caller;
import io.rotationdrag.gateway.auth.Principal;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.service.db.JobEntity;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.storage.ObjectKeys;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The job API. Unknown jobs are 404; jobs that exist but have not produced what is asked for yet are 409 with
 * the job's state, so a client can always tell "no such job" from "not finished".
 */
@Path(JobViews.BASE)
@Tag(name = "jobs", description = "drag-edit jobs: submit, follow, fetch, cancel")
public class JobResource {
    @Inject
    JobSubmitter submitter;

    @Inject
    JobStore store;

    @Inject
    JobViews views;

    @Inject
    BlobStore blobs;

    @Inject
    JobEvents events;

    @Inject
    GatewayConfig config;

    @Inject
    Caller caller;

    @Inject
    GatewayMetrics metrics;

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Submit a drag edit", description = "201 with the new job (Location: its URL); 200 with "
            + "the existing job when the Idempotency-Key was seen with the same request; 4xx with a reason naming "
            + "the field otherwise (nothing is stored then).")
    @APIResponse(responseCode = "201", description = "job created",
            content = @Content(schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "200", description = "same Idempotency-Key and request: the existing job")
    @APIResponse(responseCode = "400", description = "invalid field",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "413", description = "upload too large")
    @APIResponse(responseCode = "415", description = "image not PNG/JPEG or mask not PNG")
    @APIResponse(responseCode = "422", description = "Idempotency-Key reused with a different request")
    @APIResponse(responseCode = "401", description = "no or an invalid API key (Authorization: Bearer <key>)")
    @APIResponse(responseCode = "429", description = "over a quota: the caller's or the server's unfinished jobs "
            + "(rd.gateway.quota.*); Retry-After says when to try again")
    public Response submit(
            @RestForm("image") @Parameter(description = "PNG or JPEG") FileUpload image,
            @RestForm("mask") @Parameter(description = "PNG of the image's size; non-zero = editable") FileUpload mask,
            @RestForm("groundTruth") @Parameter(description = "optional PNG or JPEG of the image's size: the "
                    + "expected result; evaluation then adds PSNR/SSIM in the mask and the MD floor against it")
            FileUpload groundTruth,
            @RestForm("points") @Parameter(description = "[[x,y],[x,y],...] handle/target pairs in image pixels; "
                    + "a pair with handle == target is a rotation axis") String points,
            @RestForm("prompt") String prompt,
            @RestForm("method") @Parameter(description = "dragdiffusion | rotationdrag | rotationdrag-cached | "
                    + "freedrag | dragdiffusion-blend | rotate-pixels | rotate-latent") String method,
            @RestForm("options") @Parameter(description = "partial EditOptions JSON, e.g. {\"seed\":7,"
                    + "\"drag\":{\"maxSteps\":40}}; bounded by the server (rd.gateway.limits.*, defaults: "
                    + "drag.maxSteps 300, drag.trackRadius 12, drag.supervisionRadius 8, lora.steps 400, lora.rank 64, "
                    + "lora.batchSize 8, inversion.numInferenceSteps 200, at most 40 previews): 400 naming the option")
            String options,
            @RestForm("idempotencyKey") String formKey,
            @RestHeader("Idempotency-Key") String headerKey) {
        Principal who = caller.require();
        JobSubmitter.Outcome o;
        try {
            SubmissionForm form = new SubmissionForm(bytes("image", image), bytes("mask", mask),
                    bytes("groundTruth", groundTruth), points, prompt, method, options,
                    idempotencyKey(headerKey, formKey));
            o = submitter.submit(form, who.name(), false);
        } catch (ApiException e) {
            metrics.rejected(GatewayMetrics.reason(e.status()));
            throw e;
        }
        JobView view = views.full(o.job());
        URI location = URI.create(JobViews.self(o.job().id));
        return (o.created() ? Response.created(location) : Response.ok().location(location))
                .type(MediaType.APPLICATION_JSON).entity(view).build();
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A job: state, progress, per-stage timings, attempts, workers, error, metrics, links")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "404", description = "no such job")
    public JobView get(@RestPath String id) {
        return views.full(job(id));
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Jobs, newest first, optionally of one state")
    public JobView.Page list(@RestQuery String state, @RestQuery String page, @RestQuery String size) {
        JobState s = null;
        if (state != null && !state.isBlank()) {
            try {
                s = JobState.valueOf(state.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("state", "unknown state: expected one of "
                        + java.util.Arrays.toString(JobState.values()));
            }
        }
        int n = QueryParams.intParam("size", size, 20, 1, config.maxPageSize());
        // the row offset page * size must fit the database's int offset
        int p = QueryParams.intParam("page", page, 0, 0, Integer.MAX_VALUE / n);
        String owner = caller.require().listFilter();
        return new JobView.Page(store.page(owner, s, p, n).stream().map(views::summary).toList(), p, n,
                store.count(owner, s), s == null ? null : s.name());
    }

    @DELETE
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Cancel a job (idempotent)", description = "200 when the job is now terminal (cancelled "
            + "here, or finished before); 202 when a worker is running it and stops at its next step.")
    @APIResponse(responseCode = "404", description = "no such job")
    public Response cancel(@RestPath String id) {
        UUID jobId = job(id).id; // 404 for another owner's job, before anything changes
        JobStore.CancelOutcome c = store.requestCancel(jobId)
                .orElseThrow(() -> ApiException.notFound("no job " + id));
        JobView view = views.full(job(id));
        return Response.status(c.state().isTerminal() ? 200 : 202).entity(view).build();
    }

    @GET
    @Path("/{id}/result")
    @Produces({"image/png", MediaType.APPLICATION_JSON})
    @Operation(summary = "The edited image (PNG)", description = "404 no such job; 409 with the job's state while "
            + "the result is not written yet (or the job failed or was cancelled before).")
    @APIResponse(responseCode = "200", content = @Content(mediaType = "image/png"))
    @APIResponse(responseCode = "404", description = "no such job")
    @APIResponse(responseCode = "409", description = "no result yet",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Response result(@RestPath String id) {
        return artefact(job(id), ObjectKeys.result(jobId(id)), "image/png", "result image");
    }

    @GET
    @Path("/{id}/trajectory")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Handle trajectory of the drag stage (JSON)", description = "404 no such job; 409 while "
            + "the drag stage has not written it.")
    public Response trajectory(@RestPath String id) {
        return artefact(job(id), ObjectKeys.trajectory(jobId(id)), MediaType.APPLICATION_JSON, "trajectory");
    }

    @GET
    @Path("/{id}/input/image")
    @Produces("image/png")
    @Operation(summary = "The job's input image as stored (PNG)")
    public Response inputImage(@RestPath String id) {
        return artefact(job(id), ObjectKeys.inputImage(jobId(id)), "image/png", "input image");
    }

    @GET
    @Path("/{id}/input/mask")
    @Produces("image/png")
    @Operation(summary = "The job's mask as uploaded (PNG); 404 when the job has none")
    public Response inputMask(@RestPath String id) {
        JobEntity j = job(id);
        if (!j.hasMask) {
            throw ApiException.notFound("job " + id + " was submitted without a mask");
        }
        return artefact(j, ObjectKeys.inputMask(j.id), "image/png", "mask");
    }

    @GET
    @Path("/{id}/previews/{step}")
    @Produces("image/png")
    @Operation(summary = "A preview image the drag stage decoded at a step (see the events' drag.preview link)")
    public Response preview(@RestPath String id, @RestPath("step") String stepText) {
        int step = QueryParams.intParam("step", stepText, 0, 0, Integer.MAX_VALUE);
        JobEntity j = job(id);
        return artefact(j, ObjectKeys.preview(j.id, step), "image/png", "preview of step " + step);
    }

    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Progress as server-sent events", description = "Events: 'state' (the full job, first the "
            + "current one, then on every state change), 'progress' (step, done, total), 'drag' (handle positions, "
            + "loss, preview link, when the drag worker stores them), 'end' (the job is terminal; the stream closes).")
    @APIResponse(responseCode = "404", description = "no such job")
    @Blocking // the job lookup before the stream starts reads the database
    public Multi<OutboundSseEvent> events(@RestPath String id, @jakarta.ws.rs.core.Context Sse sse) {
        JobEntity j = job(id);
        return events.stream(j.id, j.owner, sse);
    }

    private Response artefact(JobEntity j, String key, String type, String what) {
        Optional<byte[]> bytes = blobs.find(ObjectKeys.JOBS_BUCKET, key);
        if (bytes.isPresent()) {
            return Response.ok(bytes.get(), type).build();
        }
        // Re-read: the job may have moved on between the first read and the blob lookup.
        JobEntity now = store.find(j.id).orElse(j);
        String why = switch (now.state) {
            case FAILED -> "job " + j.id + " FAILED without a " + what + ": " + now.error;
            case CANCELLED -> "job " + j.id + " was CANCELLED before its " + what + " was written";
            case SUCCEEDED -> "job " + j.id + " SUCCEEDED but has no " + what;
            default -> "job " + j.id + " is " + now.state + "; its " + what + " is not written yet";
        };
        throw new JobNotFinishedException(now.state, why);
    }

    /** The caller's job (any job for an admin); another owner's job is "no job", as if it did not exist. */
    private JobEntity job(String id) {
        Principal who = caller.require();
        return store.find(jobId(id)).filter(j -> who.mayAccess(j.owner))
                .orElseThrow(() -> ApiException.notFound("no job " + id));
    }

    private static UUID jobId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no job " + id + " (job ids are UUIDs)");
        }
    }

    private byte[] bytes(String field, FileUpload f) {
        if (f == null) {
            return null;
        }
        if (f.size() > config.maxUploadBytes()) {
            throw new ApiException(413, field, field + " is " + f.size() + " bytes; at most "
                    + config.maxUploadBytes() + " are accepted");
        }
        try {
            return Files.readAllBytes(f.uploadedFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String idempotencyKey(String header, String form) {
        String h = blankToNull(header);
        String f = blankToNull(form);
        if (h != null && f != null && !h.equals(f)) {
            throw ApiException.badRequest("idempotencyKey", "the Idempotency-Key header and the idempotencyKey "
                    + "form field differ; send one, or the same value in both");
        }
        String k = h != null ? h : f;
        TextInput.requireClean("idempotencyKey", k, false);
        TextInput.requireMaxLength("idempotencyKey", k, 200);
        return k;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
