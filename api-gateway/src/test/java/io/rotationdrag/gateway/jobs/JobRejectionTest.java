package io.rotationdrag.gateway.jobs;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.rotationdrag.service.config.RdConfig;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.service.testing.RdServicesTestResource;
import jakarta.inject.Inject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.rotationdrag.gateway.TestAuth.given;
import static org.junit.jupiter.api.Assertions.*;

/** Every bad input gets its 4xx with a JSON reason naming the field, and leaves no job row and no blob. */
@QuarkusTest
@QuarkusTestResource(RdServicesTestResource.class)
class JobRejectionTest {
    @Inject
    JobStore store;

    @Inject
    RdConfig config;

    static final byte[] IMAGE = TestInputs.png(64, 64, 11);
    static final byte[] MASK = TestInputs.encode(TestInputs.mask(64, 64), "png");

    private static RequestSpecification form(String points, String method) {
        return given().multiPart("image", "scene.png", IMAGE, "image/png").multiPart("points", points)
                .multiPart("method", method);
    }

    private static Arguments reject(String name, int status, String field, String messagePart,
                                    Supplier<RequestSpecification> request) {
        return Arguments.of(name, status, field, messagePart, request);
    }

    private static byte[] onePixelMask(int side) {
        java.awt.image.BufferedImage m = new java.awt.image.BufferedImage(side, side,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        m.getRaster().setSample(1, 1, 0, 255); // not a sample point of a x4 nearest down-scale
        return TestInputs.encode(m, "png");
    }

    static Stream<Arguments> badRequests() {
        byte[] oversize = new byte[250_000];
        new Random(5).nextBytes(oversize);
        System.arraycopy(IMAGE, 0, oversize, 0, 16); // a PNG signature and header: only the size is wrong
        byte[] corrupt = java.util.Arrays.copyOf(IMAGE, 60);
        String tooMany = "[" + String.join(",", java.util.Collections.nCopies(17, "[1,1],[2,2]")) + "]";
        return Stream.of(
                reject("unknown method", 400, "method", "unknown method 'magicdrag'",
                        () -> form(TestInputs.POINTS, "magicdrag")),
                reject("missing method", 400, "method", "method is missing",
                        () -> given().multiPart("image", "scene.png", IMAGE, "image/png")
                                .multiPart("points", TestInputs.POINTS)),
                reject("malformed points", 400, "points", "not valid JSON", () -> form("[[16,32],[40", "rotationdrag")),
                reject("points not pairs of numbers", 400, "points", "points[1]",
                        () -> form("[[16,32],[40]]", "rotationdrag")),
                reject("odd point count", 400, "points", "odd count",
                        () -> form("[[16,32],[40,20],[32,32]]", "rotationdrag")),
                reject("point outside the image", 400, "points", "outside the 64x64 image",
                        () -> form("[[16,32],[64,20]]", "rotationdrag")),
                reject("negative point", 400, "points", "outside", () -> form("[[-1,32],[40,20]]", "rotationdrag")),
                reject("too many points", 400, "points", "at most 16", () -> form(tooMany, "rotationdrag")),
                reject("axes only", 400, "points", "rotation axes only",
                        () -> form("[[16,32],[16,32]]", "rotationdrag")),
                reject("missing points", 400, "points", "points is missing",
                        () -> given().multiPart("image", "scene.png", IMAGE, "image/png")
                                .multiPart("method", "rotationdrag")),
                reject("wrong mask size", 400, "mask", "mask is 32x32 but the image is 64x64",
                        () -> form(TestInputs.POINTS, "rotationdrag").multiPart("mask", "mask.png",
                                TestInputs.encode(TestInputs.mask(32, 32), "png"), "image/png")),
                reject("ground truth of another size", 400, "groundTruth", "groundTruth is 64x48 but the image is 64x64",
                        () -> form(TestInputs.POINTS, "rotationdrag").multiPart("groundTruth", "truth.png",
                                TestInputs.png(64, 48, 2), "image/png")),
                reject("ground truth not an image", 415, "groundTruth", "groundTruth must be",
                        () -> form(TestInputs.POINTS, "rotationdrag").multiPart("groundTruth", "truth.gif",
                                TestInputs.gif(64, 64), "image/png")),
                reject("mask not PNG", 415, "mask", "mask must be PNG",
                        () -> form(TestInputs.POINTS, "rotationdrag").multiPart("mask", "mask.jpg",
                                TestInputs.encode(TestInputs.picture(64, 64, 1), "jpg"), "image/jpeg")),
                reject("oversize upload", 413, "image", "at most 200000",
                        () -> given().multiPart("image", "big.png", oversize, "image/png")
                                .multiPart("points", TestInputs.POINTS).multiPart("method", "rotationdrag")),
                reject("GIF image", 415, "image", "the upload is GIF",
                        () -> given().multiPart("image", "scene.gif",
                                        TestInputs.gif(64, 64), "image/png")
                                .multiPart("points", TestInputs.POINTS).multiPart("method", "rotationdrag")),
                reject("corrupt PNG", 400, "image", "not a readable PNG",
                        () -> given().multiPart("image", "broken.png", corrupt, "image/png")
                                .multiPart("points", TestInputs.POINTS).multiPart("method", "rotationdrag")),
                reject("image too small", 400, "image", "at least 64",
                        () -> given().multiPart("image", "small.png", TestInputs.png(32, 32, 1), "image/png")
                                .multiPart("points", "[[1,1],[5,5]]").multiPart("method", "rotationdrag")),
                reject("missing image", 400, "image", "image is missing",
                        () -> given().multiPart("points", TestInputs.POINTS).multiPart("method", "rotationdrag")),
                reject("unknown option", 400, "options", "unknown option 'options.nope'",
                        () -> form(TestInputs.POINTS, "rotationdrag").multiPart("options", "{\"nope\":1}")),
                reject("options not JSON", 400, "options", "not valid JSON",
                        () -> form(TestInputs.POINTS, "rotationdrag").multiPart("options", "{seed:")),
                reject("working size over the server cap", 400, "options", "exceeds this server's limit",
                        () -> form(TestInputs.POINTS, "rotationdrag").multiPart("options", "{\"workingSize\":4096}")),
                // no workingSize: the gateway resolves the model's native size (64 for the embedded model, read from
                // its configs), so a 1-pixel mask on a 256 px image vanishes; at SD 1.5's 512 it would not
                reject("mask vanishes at the model's native working size", 400, "mask",
                        "vanishes at the working size 64x64",
                        () -> given().multiPart("image", "big.png", TestInputs.png(256, 256, 3), "image/png")
                                .multiPart("mask", "dot.png", onePixelMask(256), "image/png")
                                .multiPart("points", "[[10,10],[40,40]]").multiPart("method", "rotationdrag")),
                reject("idempotency header and field differ", 400, "idempotencyKey", "differ",
                        () -> form(TestInputs.POINTS, "rotationdrag").header("Idempotency-Key", "a")
                                .multiPart("idempotencyKey", "b")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void rejectedWithReasonAndNothingStored(String name, int status, String field, String messagePart,
                                            Supplier<RequestSpecification> request) throws Exception {
        GatewayStorage s3 = new GatewayStorage(config);
        long jobs = store.count(null);
        List<String> keys = s3.jobKeys();

        Response r = request.get().post("/api/v1/jobs");

        assertEquals(status, r.statusCode(), r.asString());
        assertTrue(r.contentType().startsWith("application/json"), r.contentType());
        assertEquals(status, r.jsonPath().getInt("status"));
        assertEquals(field, r.jsonPath().getString("field"), r.asString());
        assertTrue(r.jsonPath().getString("message").contains(messagePart), r.asString());
        assertEquals(jobs, store.count(null), "no job row for a rejected request");
        assertEquals(keys, s3.jobKeys(), "no blob for a rejected request");
    }
}
