package suishoupai.standin;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;

/**
 * ObjectIds the server assigns, made as MongoDB makes them (seconds, a per-process random value,
 * a counter), so they grow with time. mongo-java-server's own are random bytes, which breaks
 * anything that orders by _id as by creation (keyset pages, ties broken by _id).
 */
final class ObjectIds {

    private static final byte[] PROCESS_RANDOM = new byte[5];
    private static final AtomicInteger COUNTER;

    static {
        SecureRandom random = new SecureRandom();
        random.nextBytes(PROCESS_RANDOM);
        COUNTER = new AtomicInteger(random.nextInt(1 << 24));
    }

    private ObjectIds() {
    }

    static ObjectId next() {
        ByteBuffer bytes = ByteBuffer.allocate(12);
        bytes.putInt((int) (System.currentTimeMillis() / 1000));
        bytes.put(PROCESS_RANDOM);
        int count = COUNTER.getAndIncrement() & 0xFFFFFF;
        bytes.put((byte) (count >>> 16)).put((byte) (count >>> 8)).put((byte) count);
        return new ObjectId(bytes.array());
    }

    /** Gives a document of a user collection an _id before mongo-java-server would give it a random one. */
    static void assignIfMissing(String collectionName, Document document) {
        if (!document.containsKey("_id") && !collectionName.startsWith("system.")) {
            document.put("_id", next());
        }
    }
}
