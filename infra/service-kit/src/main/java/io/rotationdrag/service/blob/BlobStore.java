package io.rotationdrag.service.blob;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import io.rotationdrag.service.config.RdConfig;
import io.rotationdrag.storage.ObjectKeys;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The object store through the MinIO SDK (S3Proxy locally, MinIO or S3 in production). Writes are whole
 * objects under deterministic keys ({@link ObjectKeys}), so repeating a write is harmless.
 */
@Startup
@ApplicationScoped
public class BlobStore {
    private static final Logger LOG = LoggerFactory.getLogger(BlobStore.class);

    @Inject
    RdConfig config;

    private MinioClient client;

    @PostConstruct
    void init() {
        RdConfig.S3 s3 = config.s3();
        client = MinioClient.builder().endpoint(s3.endpoint()).credentials(s3.accessKey(), s3.secretKey())
                .region(s3.region()).build();
        if (s3.createBuckets()) {
            for (String b : List.of(ObjectKeys.JOBS_BUCKET, ObjectKeys.MODELS_BUCKET, ObjectKeys.DATASETS_BUCKET)) {
                try {
                    ensureBucket(b);
                } catch (BlobStoreException e) {
                    // Not fatal at start: readiness reports the store as down until it answers.
                    LOG.warn("could not ensure bucket {} at {}: {}", b, s3.endpoint(), e.getMessage());
                }
            }
        }
    }

    public void ensureBucket(String bucket) {
        call("ensure bucket " + bucket, () -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            }
            return null;
        });
    }

    public void put(String bucket, String key, byte[] bytes, String contentType) {
        call("put " + bucket + "/" + key, () -> client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .stream(new ByteArrayInputStream(bytes), bytes.length, -1).contentType(contentType).build()));
    }

    public byte[] get(String bucket, String key) {
        return call("get " + bucket + "/" + key, () -> {
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                return in.readAllBytes();
            }
        });
    }

    /** The object's bytes, or empty when there is no such key. */
    public Optional<byte[]> find(String bucket, String key) {
        if (stat(bucket, key).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(get(bucket, key));
    }

    public boolean exists(String bucket, String key) {
        return stat(bucket, key).isPresent();
    }

    /** Size of the object, empty when absent. */
    public Optional<Long> stat(String bucket, String key) {
        return call("stat " + bucket + "/" + key, () -> {
            try {
                StatObjectResponse r = client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
                return Optional.of(r.size());
            } catch (ErrorResponseException e) {
                String code = e.errorResponse().code();
                if ("NoSuchKey".equals(code) || "NoSuchObject".equals(code) || "NotFound".equals(code)
                        || e.response().code() == 404) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    public List<String> list(String bucket, String prefix) {
        return call("list " + bucket + "/" + prefix, () -> {
            List<String> keys = new ArrayList<>();
            for (Result<Item> r : client.listObjects(
                    ListObjectsArgs.builder().bucket(bucket).prefix(prefix).recursive(true).build())) {
                Item item = r.get();
                // Filesystem-backed servers (S3Proxy) list directory markers ("a/b/"): they are not objects.
                if (!item.isDir() && !item.objectName().endsWith("/")) {
                    keys.add(item.objectName());
                }
            }
            return keys;
        });
    }

    public void delete(String bucket, String key) {
        call("delete " + bucket + "/" + key,
                () -> {
                    client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
                    return null;
                });
    }

    /** Deletes every object under the prefix (used to undo a rejected or failed submission). */
    public void deletePrefix(String bucket, String prefix) {
        for (String k : list(bucket, prefix)) {
            delete(bucket, k);
        }
    }

    /** A cheap round trip for readiness. */
    public boolean ping() {
        try {
            return client.bucketExists(BucketExistsArgs.builder().bucket(ObjectKeys.JOBS_BUCKET).build());
        } catch (Exception e) {
            return false;
        }
    }

    private interface Call<T> {
        T run() throws Exception;
    }

    private static <T> T call(String what, Call<T> c) {
        try {
            return c.run();
        } catch (BlobStoreException e) {
            throw e;
        } catch (Exception e) {
            throw new BlobStoreException(what + " failed: " + e, e);
        }
    }

    public static class BlobStoreException extends RuntimeException {
        public BlobStoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
