package io.rotationdrag.gateway.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Body of every 4xx/5xx answer of {@code /api/v1}.
 *
 * @param status  HTTP status
 * @param error   its reason phrase
 * @param field   the request part at fault (image, mask, points, method, options, prompt, idempotencyKey), or null
 * @param message what is wrong, for the user
 * @param state   the job's state where the error depends on it (409 while a job is not finished)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(int status, String error, String field, String message, String state) {
}
