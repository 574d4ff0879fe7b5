package suishoupai.standin;

import java.util.List;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;

/**
 * The project's local database when no MongoDB can be had (scripts/db/standin.ts starts it):
 * mongo-java-server, atomic per collection, with the secondary indexes it lacks (SecondaryIndex).
 *
 *   java suishoupai.standin.StandIn --port 27018 [--file .data/db/standin.mv]
 *
 * Without --file the data lives in memory (tests); with it, in an H2 MVStore file.
 */
public final class StandIn {

    /** The MongoDB the stand-in claims to be: 4.4 (wire version 9) is the oldest the mongodb driver 7 accepts. */
    private static final MongoVersion VERSION = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(4, 4, 0);
        }

        @Override
        public int getWireVersion() {
            return 9;
        }
    };

    public static void main(String[] args) {
        String host = "127.0.0.1";
        int port = 27017;
        String file = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host" -> host = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--file" -> file = args[++i];
                default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
        }
        MongoBackend backend = file == null ? new IndexedMemoryBackend() : new IndexedH2Backend(file);
        backend.version(VERSION);
        MongoServer server = new MongoServer(backend);
        server.bind(host, port);
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "standin-shutdown"));
        System.out.println("stand-in listening on " + host + ":" + port + (file == null ? " (memory)" : " (file " + file + ")"));
        System.out.flush();
    }
}
