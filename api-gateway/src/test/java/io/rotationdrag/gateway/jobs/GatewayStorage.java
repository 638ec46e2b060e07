package io.rotationdrag.gateway.jobs;

import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import io.rotationdrag.service.config.RdConfig;
import io.rotationdrag.storage.ObjectKeys;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** Reads the object store through its own MinIO SDK client (not the gateway's BlobStore) for the assertions. */
public final class GatewayStorage {
    private final MinioClient client;

    public GatewayStorage(RdConfig config) {
        client = MinioClient.builder().endpoint(config.s3().endpoint())
                .credentials(config.s3().accessKey(), config.s3().secretKey()).region(config.s3().region()).build();
    }

    public byte[] get(String key) throws Exception {
        try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(ObjectKeys.JOBS_BUCKET).object(key)
                .build())) {
            return in.readAllBytes();
        }
    }

    /** Every object key under jobs/ (directory markers of filesystem-backed stores left out). */
    public List<String> jobKeys() throws Exception {
        List<String> keys = new ArrayList<>();
        for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(ObjectKeys.JOBS_BUCKET)
                .prefix("jobs/").recursive(true).build())) {
            Item i = r.get();
            if (!i.isDir() && !i.objectName().endsWith("/")) {
                keys.add(i.objectName());
            }
        }
        return keys;
    }
}
