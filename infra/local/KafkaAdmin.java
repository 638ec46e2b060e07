import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Tiny Kafka Admin-client tool used by infra/local/stack (compiled once into the state dir).
 * Kafka 4 moved TopicCommand into the kafka-tools artifact; the Admin client of kafka-clients, which the
 * broker's class path already carries, does the same job without another dependency.
 *
 * <pre>
 * KafkaAdmin BOOTSTRAP [--wait SECONDS [--pid PID]] COMMAND ...
 *     --wait: first retry until the broker answers (at most SECONDS, giving up early when process PID,
 *     the broker being started, has exited), so that one JVM both waits and works.
 * KafkaAdmin BOOTSTRAP ping                          cluster id + node count, exit 1 if unreachable
 * KafkaAdmin BOOTSTRAP ensure PARTITIONS TOPIC...    create missing topics, grow partitions if fewer
 * KafkaAdmin BOOTSTRAP describe [TOPIC...]           "topic partitions=N" lines (all non-internal topics)
 * KafkaAdmin BOOTSTRAP roundtrip TOPIC               produce one random record, consume it back, compare
 * </pre>
 */
public final class KafkaAdmin {
    private static final long TIMEOUT_S = 20;

    public static void main(String[] args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        long waitSeconds = 0;
        long pid = -1;
        if (a.size() > 2 && a.get(1).equals("--wait")) {
            waitSeconds = Long.parseLong(a.remove(2));
            a.remove(1);
            if (a.size() > 2 && a.get(1).equals("--pid")) {
                pid = Long.parseLong(a.remove(2));
                a.remove(1);
            }
        }
        args = a.toArray(new String[0]);
        if (args.length < 2) {
            System.err.println("usage: KafkaAdmin BOOTSTRAP [--wait SECONDS [--pid PID]] "
                    + "ping|ensure PARTITIONS TOPIC...|describe [TOPIC...]");
            System.exit(2);
        }
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "rd-stack-admin");
        int rc;
        try (Admin admin = Admin.create(p)) {
            if (waitSeconds > 0 && !awaitBroker(admin, waitSeconds, pid)) {
                System.exit(1);
            }
            switch (args[1]) {
                case "ping" -> rc = ping(admin);
                case "ensure" -> rc = ensure(admin, Integer.parseInt(args[2]), List.of(args).subList(3, args.length));
                case "describe" -> rc = describe(admin, List.of(args).subList(2, args.length));
                case "roundtrip" -> rc = roundtrip(admin, args[0], args[2]);
                default -> {
                    System.err.println("unknown command " + args[1]);
                    rc = 2;
                }
            }
        } catch (ExecutionException e) {
            System.err.println("kafka admin " + args[1] + " failed: " + e.getCause());
            rc = 1;
        }
        System.exit(rc);
    }

    private static boolean awaitBroker(Admin admin, long seconds, long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            if (pid > 0 && ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
                System.err.println("kafka process " + pid + " has exited");
                return false;
            }
            try {
                if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                    return true;
                }
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                last = e instanceof ExecutionException ? e.getCause() : e;
            }
            Thread.sleep(250);
        }
        System.err.println("kafka did not answer within " + seconds + " s: " + last);
        return false;
    }

    private static int ping(Admin admin) throws Exception {
        var cluster = admin.describeCluster();
        String id = cluster.clusterId().get(TIMEOUT_S, TimeUnit.SECONDS);
        int nodes = cluster.nodes().get(TIMEOUT_S, TimeUnit.SECONDS).size();
        System.out.println("cluster " + id + " nodes=" + nodes);
        return nodes > 0 ? 0 : 1;
    }

    private static int ensure(Admin admin, int partitions, List<String> topics) throws Exception {
        Set<String> existing = admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS);
        List<NewTopic> create = new ArrayList<>();
        for (String t : topics) {
            if (!existing.contains(t)) {
                create.add(new NewTopic(t, partitions, (short) 1));
            }
        }
        if (!create.isEmpty()) {
            for (var e : admin.createTopics(create).values().entrySet()) {
                try {
                    e.getValue().get(TIMEOUT_S, TimeUnit.SECONDS);
                    System.out.println("created " + e.getKey() + " partitions=" + partitions);
                } catch (ExecutionException ex) {
                    // A concurrent creator won the race: fine, the partition check below still applies.
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw ex;
                    }
                }
            }
        }
        // Workers scale out only up to the partition count, so an existing topic with fewer is grown.
        Map<String, NewPartitions> grow = new TreeMap<>();
        for (var d : describeAll(admin, topics).values()) {
            if (d.partitions().size() < partitions) {
                grow.put(d.name(), NewPartitions.increaseTo(partitions));
            }
        }
        if (!grow.isEmpty()) {
            admin.createPartitions(grow).all().get(TIMEOUT_S, TimeUnit.SECONDS);
            System.out.println("grew partitions of " + grow.keySet() + " to " + partitions);
        }
        // Verify what the broker now reports rather than trusting the calls above.
        int bad = 0;
        for (String t : topics) {
            TopicDescription d = describeAll(admin, List.of(t)).get(t);
            if (d == null || d.partitions().size() < partitions) {
                System.err.println("topic " + t + " missing or has too few partitions: " + d);
                bad++;
            }
        }
        return bad == 0 ? 0 : 1;
    }

    private static int describe(Admin admin, List<String> topics) throws Exception {
        Collection<String> names = topics.isEmpty()
                ? admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS) : topics;
        for (TopicDescription d : describeAll(admin, names).values()) {
            System.out.println(d.name() + " partitions=" + d.partitions().size());
        }
        return 0;
    }

    /** Real produce/consume through the broker: a random value written with acks=all must come back. */
    private static int roundtrip(Admin admin, String bootstrap, String topic) throws Exception {
        if (ensure(admin, 1, List.of(topic)) != 0) {
            return 1;
        }
        String value = java.util.UUID.randomUUID().toString();
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        RecordMetadata md;
        try (var producer = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
            md = producer.send(new ProducerRecord<>(topic, 0, "check", value)).get(TIMEOUT_S, TimeUnit.SECONDS);
        }
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (var consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seek(tp, md.offset());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() == md.offset()) {
                        boolean same = value.equals(r.value());
                        System.out.println((same ? "roundtrip ok " : "roundtrip MISMATCH ") + topic + "@" + r.offset());
                        return same ? 0 : 1;
                    }
                }
            }
        }
        System.err.println("roundtrip: record " + topic + "@" + md.offset() + " not consumed within " + TIMEOUT_S + " s");
        return 1;
    }

    private static Map<String, TopicDescription> describeAll(Admin admin, Collection<String> names) throws Exception {
        return new TreeMap<>(admin.describeTopics(names).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS));
    }
}
