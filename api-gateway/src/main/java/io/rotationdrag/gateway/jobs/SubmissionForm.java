package io.rotationdrag.gateway.jobs;

/**
 * The raw parts of a {@code POST /api/v1/jobs} request, as received.
 *
 * @param image          image bytes (PNG or JPEG), null when the part is absent
 * @param mask           mask bytes (PNG), null = everything editable
 * @param groundTruth    the expected result (PNG or JPEG, the image's size), null when unknown; evaluation then
 *                       scores the edit against it (PSNR/SSIM in the mask, ground-truth MD floor)
 * @param points         JSON {@code [[x,y],[x,y],...]} handle/target pairs
 * @param prompt         text prompt, may be null
 * @param method         dragdiffusion | rotationdrag | rotationdrag-cached | freedrag | dragdiffusion-blend |
 *                       rotate-pixels | rotate-latent
 * @param options        partial EditOptions JSON, may be null
 * @param idempotencyKey from the header and/or the form field (already reconciled), may be null
 */
public record SubmissionForm(byte[] image, byte[] mask, byte[] groundTruth, String points, String prompt,
                             String method, String options, String idempotencyKey) {
}
