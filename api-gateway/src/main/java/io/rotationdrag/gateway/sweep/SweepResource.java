package io.rotationdrag.gateway.sweep;

import io.rotationdrag.gateway.api.ApiException;
import io.rotationdrag.service.sweep.SweepEntity;
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

import java.net.URI;
import java.util.UUID;

/** Benchmark sweeps: create, follow, results (JSON, CSV) and the HTML report. */
@Path("/")
@Tag(name = "sweeps", description = "benchmark sweeps over a dataset: one job per sample x method x option set")
public class SweepResource {
    @Inject
    SweepService sweeps;

    @Inject
    ReportPages pages;

    @POST
    @Path("api/v1/sweeps")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a sweep", description = "{dataset, methods, options (grid or list), maxSamples}: "
            + "201 with the sweep's report (all jobs queued)")
    public Response create(SweepRequest req) {
        SweepEntity s = sweeps.create(req, SweepEntity.Trigger.API);
        return Response.created(URI.create("/api/v1/sweeps/" + s.id)).entity(sweeps.report(s.id)).build();
    }

    @GET
    @Path("api/v1/sweeps/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A sweep: progress, results per method (mean/median/std/IQR of every metric), failures, "
            + "regressions against the previous sweep of the dataset")
    public SweepReport get(@RestPath String id) {
        return sweeps.report(uuid(id));
    }

    @GET
    @Path("api/v1/sweeps/{id}/results.csv")
    @Produces("text/csv")
    @Operation(summary = "One row per job with every metric")
    public Response csv(@RestPath String id) {
        UUID u = uuid(id);
        return Response.ok(pages.csv(u)).header("Content-Disposition", "attachment; filename=\"sweep-" + u + ".csv\"")
                .build();
    }

    @GET
    @Path("sweeps/{id}")
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "HTML report of a sweep")
    public String html(@RestPath String id) {
        return pages.html(uuid(id));
    }

    static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no sweep " + id + " (not a UUID)");
        }
    }
}
