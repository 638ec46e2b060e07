package io.rotationdrag.gateway.sweep;

import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.rotationdrag.eval.DatasetUpload;
import io.rotationdrag.storage.ObjectKeys;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Command: uploads a local DragBench-format folder into the object store as a dataset sweeps can run on.
 * <pre>
 *   mvn -q -pl api-gateway exec:java -Dexec.mainClass=io.rotationdrag.gateway.sweep.DatasetImport \
 *       -Dexec.args="/path/to/DragBench dragbench"
 * </pre>
 * The object store is the one of the RD_S3_ENDPOINT / RD_S3_ACCESS_KEY / RD_S3_SECRET_KEY variables
 * (defaults: infra/local). The folder is validated (every sample read) before anything is uploaded.
 */
public final class DatasetImport {
    private DatasetImport() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: DatasetImport <local DragBench folder> <dataset name>");
            System.exit(2);
        }
        DatasetUpload.Plan plan = DatasetUpload.plan(Path.of(args[0]), args[1]);
        String endpoint = env("RD_S3_ENDPOINT", "http://127.0.0.1:19000");
        MinioClient c = MinioClient.builder().endpoint(endpoint)
                .credentials(env("RD_S3_ACCESS_KEY", "rotationdrag"), env("RD_S3_SECRET_KEY", "rotationdrag-secret"))
                .region("us-east-1").build();
        String bucket = ObjectKeys.DATASETS_BUCKET;
        if (!c.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
            c.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
        }
        int n = 0;
        long bytes = 0;
        for (DatasetUpload.FileUpload f : plan.files()) {
            byte[] b = Files.readAllBytes(f.file());
            put(c, bucket, f.key(), b);
            bytes += b.length;
            if (++n % 50 == 0) {
                System.out.printf("uploaded %d/%d files%n", n, plan.files().size());
            }
        }
        put(c, bucket, plan.manifestKey(), plan.manifestJson().getBytes(StandardCharsets.UTF_8));
        System.out.printf("dataset %s: %d samples, %d files, %d bytes uploaded to %s/%s%n", plan.dataset(),
                plan.samples().size(), n, bytes, endpoint, bucket + "/" + DatasetUpload.prefix(plan.dataset()));
    }

    private static void put(MinioClient c, String bucket, String key, byte[] b) throws Exception {
        c.putObject(PutObjectArgs.builder().bucket(bucket).object(key).stream(new ByteArrayInputStream(b), b.length, -1)
                .build());
    }

    private static String env(String k, String d) {
        String v = System.getenv(k);
        return v == null || v.isBlank() ? d : v;
    }
}
