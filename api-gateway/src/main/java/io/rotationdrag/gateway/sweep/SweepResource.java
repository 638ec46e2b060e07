package io.rotationdrag.gateway.sweep;

import io.rotationdrag.gateway.GatewayConfig;
import io.rotationdrag.gateway.api.ApiException;
import io.rotationdrag.gateway.api.QueryParams;
import io.rotationdrag.gateway.auth.Caller;
import io.rotationdrag.gateway.auth.Principal;
import io.rotationdrag.service.sweep.SweepEntity;
import io.rotationdrag.service.sweep.SweepStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Benchmark sweeps: create, list, follow, results (JSON, CSV) and the HTML report. A sweep and its jobs belong to
 * the caller; another owner's sweep answers 404 (admins see all).
 */
@Path("/")
@Tag(name = "sweeps", description = "benchmark sweeps over a dataset: one job per sample x method x option set")
public class SweepResource {
    @Inject
    SweepService sweeps;

    @Inject
    SweepStore store;

    @Inject
    ReportPages pages;

    @Inject
    Caller caller;

    @Inject
    GatewayConfig config;

    /** One line of the sweep list. */
    public record SweepSummary(UUID id, String dataset, String trigger, String owner, Instant createdAt,
                               int samples, Map<String, String> links) {
    }

    /** @param items newest first */
    public record SweepPage(List<SweepSummary> items, int page, int size) {
    }

    @POST
    @Path("api/v1/sweeps")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a sweep", description = "{dataset, methods, options (grid or list), maxSamples}: "
            + "201 with the sweep's report (all jobs queued); 429 with Retry-After when the caller already has "
            + "rd.gateway.quota.max-active-sweeps unfinished sweeps or the jobs do not fit the server's total")
    public Response create(SweepRequest req) {
        Principal who = caller.require();
        SweepEntity s = sweeps.create(req, SweepEntity.Trigger.API, who.name());
        return Response.created(URI.create("/api/v1/sweeps/" + s.id)).entity(sweeps.report(s.id, who)).build();
    }

    @GET
    @Path("api/v1/sweeps")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The caller's sweeps (an admin's: all), newest first")
    public SweepPage list(@RestQuery String page, @RestQuery String size) {
        Principal who = caller.require();
        int n = QueryParams.intParam("size", size, 20, 1, config.maxPageSize());
        int p = QueryParams.intParam("page", page, 0, 0, Integer.MAX_VALUE / n);
        return new SweepPage(store.page(who.listFilter(), p, n).stream().map(s -> new SweepSummary(s.id, s.dataset,
                s.trigger.name(), s.owner, s.createdAt, s.sampleCount, sweeps.links(s))).toList(), p, n);
    }

    @GET
    @Path("api/v1/sweeps/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A sweep: progress, results per method (mean/median/std/IQR of every metric), failures, "
            + "regressions against the previous sweep of the dataset")
    public SweepReport get(@RestPath String id) {
        return sweeps.report(uuid(id), caller.require());
    }

    @GET
    @Path("api/v1/sweeps/{id}/results.csv")
    @Produces("text/csv")
    @Operation(summary = "One row per job with every metric")
    public Response csv(@RestPath String id) {
        UUID u = uuid(id);
        return Response.ok(pages.csv(u, caller.require()))
                .header("Content-Disposition", "attachment; filename=\"sweep-" + u + ".csv\"").build();
    }

    @GET
    @Path("sweeps/{id}")
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "HTML report of a sweep (open its signed links.report from the sweep's JSON)")
    public String html(@RestPath String id) {
        return pages.html(uuid(id), caller.require());
    }

    static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no sweep " + id + " (not a UUID)");
        }
    }
}
