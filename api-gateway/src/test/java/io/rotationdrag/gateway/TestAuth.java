package io.rotationdrag.gateway;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/**
 * The API keys of the test configuration (src/test/resources/application.properties keeps only their SHA-256):
 * users alice and bob, admin root. {@link #given()} is RestAssured's, signed in as alice.
 */
public final class TestAuth {
    public static final String ALICE = "test-key-alice";
    public static final String BOB = "test-key-bob";
    public static final String ADMIN = "test-key-root";

    private TestAuth() {
    }

    /** A request as alice. */
    public static RequestSpecification given() {
        return as(ALICE);
    }

    /** A request with the given API key (null = anonymous). */
    public static RequestSpecification as(String key) {
        RequestSpecification s = RestAssured.given();
        return key == null ? s : s.header("Authorization", "Bearer " + key);
    }
}
