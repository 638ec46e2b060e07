package io.rotationdrag.gateway;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.rotationdrag.service.testing.RdServicesTestResource;
import org.junit.jupiter.api.Test;

import static io.rotationdrag.gateway.TestAuth.given;
import static org.junit.jupiter.api.Assertions.*;

/** Readiness checks the database, Kafka and the object store; the OpenAPI document lists the job API. */
@QuarkusTest
@QuarkusTestResource(RdServicesTestResource.class)
class ServiceEndpointsTest {
    @Test
    void readinessCoversDatabaseKafkaAndObjectStore() {
        Response r = given().get("/q/health/ready");
        assertEquals(200, r.statusCode(), r.asString());
        assertEquals("UP", r.jsonPath().getString("status"));
        String body = r.asString();
        assertTrue(body.contains("Database connections health check"), body);
        assertEquals(true, r.jsonPath().getBoolean("checks.find { it.name == 'rotationdrag-dependencies' }.data.kafka"));
        assertEquals(true,
                r.jsonPath().getBoolean("checks.find { it.name == 'rotationdrag-dependencies' }.data.objectStore"));
    }

    @Test
    void openApiDocumentDescribesTheJobApi() {
        Response r = given().queryParam("format", "json").get("/q/openapi");
        assertEquals(200, r.statusCode());
        String doc = r.asString();
        for (String path : new String[] {"\"/api/v1/jobs\"", "\"/api/v1/jobs/{id}\"", "\"/api/v1/jobs/{id}/result\"",
                "\"/api/v1/jobs/{id}/events\"", "\"/api/v1/jobs/{id}/trajectory\""}) {
            assertTrue(doc.contains(path), "OpenAPI lacks " + path);
        }
        assertEquals(200, given().get("/q/swagger-ui/").statusCode());
    }
}
