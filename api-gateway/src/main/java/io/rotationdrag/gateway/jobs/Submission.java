package io.rotationdrag.gateway.jobs;

import io.rotationdrag.edit.EditOptions;
import io.rotationdrag.edit.PointPair;

import java.util.List;

/**
 * A validated submission, ready to store.
 *
 * @param method      the tracker id (canonical)
 * @param optionsJson the user's partial options, compact (what the job row keeps; workers re-resolve it)
 * @param options     the resolved options (method defaults + user changes)
 * @param pointsJson  canonical points JSON (jobs.JobPoints)
 * @param imagePng    bytes to store as the input image (the upload itself when it was a PNG)
 * @param maskPng     the uploaded mask, or null
 * @param groundTruthPng the expected result as PNG (same size as the image), or null
 */
public record Submission(String method, String prompt, String optionsJson, EditOptions options,
                         List<PointPair> points, String pointsJson, int width, int height, byte[] imagePng,
                         byte[] maskPng, byte[] groundTruthPng) {
}
