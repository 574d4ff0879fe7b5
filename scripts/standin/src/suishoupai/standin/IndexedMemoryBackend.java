package suishoupai.standin;

import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import io.netty.channel.Channel;

/** mongo-java-server's memory backend with secondary indexes, index choice, explain and indexed $match. */
final class IndexedMemoryBackend extends MemoryBackend {

    @Override
    public MemoryDatabase openOrCreateDatabase(String databaseName) {
        return new Database(databaseName, getCursorRegistry());
    }

    private static final class Database extends MemoryDatabase {

        Database(String databaseName, CursorRegistry cursorRegistry) {
            super(databaseName, cursorRegistry);
        }

        @Override
        protected MemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
            return new Collection(this, collectionName, options, cursorRegistry);
        }

        @Override
        protected Index<Integer> openOrCreateSecondaryIndex(String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
            return new SecondaryIndex<>(indexName, keys, sparse);
        }

        /** The `create` command checks and creates without the lock implicit creation takes: two at once collided. */
        @Override
        public synchronized de.bwaldvogel.mongo.MongoCollection<Integer> createCollectionOrThrowIfExists(String collectionName, CollectionOptions options) {
            return super.createCollectionOrThrowIfExists(collectionName, options);
        }

        @Override
        public Document handleCommand(Channel channel, String command, Document query, DatabaseResolver databaseResolver, Oplog oplog) {
            Document answer = StandInCommands.handle(this, command, query, databaseResolver, oplog);
            return answer != null ? answer : super.handleCommand(channel, command, query, databaseResolver, oplog);
        }
    }

    private static final class Collection extends MemoryCollection {

        Collection(MemoryDatabase database, String collectionName, CollectionOptions options, CursorRegistry cursorRegistry) {
            super(database, collectionName, options, cursorRegistry);
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit, int batchSize, Document fieldSelector) {
            QueryPlanner.Plan<Integer> plan = QueryPlanner.plan(getIndexes(), query, orderBy, limit);
            if (plan == null) {
                return matchDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
            }
            if (plan.order() == 0) {
                return matchDocuments(query, plan.positions(), orderBy, numberToSkip, limit, batchSize, fieldSelector);
            }
            // Read in sort order until enough documents match; the server then sorts just those.
            Stream<Document> firstMatches = StreamSupport.stream(plan.positions().spliterator(), false)
                .map(this::getDocument)
                .filter(document -> documentMatchesQuery(document, query))
                .limit((long) numberToSkip + limit);
            return matchDocumentsFromStream(firstMatches, query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }

        /**
         * mongo-java-server answers findAndModify with the stored document itself, which a
         * concurrent update may change before it is sent: two $inc callers then read the same
         * value (duplicate case numbers). Answer with a copy taken under the lock.
         */
        @Override
        public synchronized Document findAndModify(Document query) {
            Document result = super.findAndModify(query);
            return result == null ? null : result.cloneDeeply();
        }

        @Override
        public synchronized void addDocument(Document document) {
            ObjectIds.assignIfMissing(getCollectionName(), document);
            super.addDocument(document);
        }

        // mongo-java-server changes and reads the index list and counts without the collection's lock.

        @Override
        public synchronized void addIndex(Index<Integer> index) {
            super.addIndex(index);
        }

        @Override
        public synchronized void dropIndex(String indexName) {
            super.dropIndex(indexName);
        }

        @Override
        public synchronized List<Index<Integer>> getIndexes() {
            return List.copyOf(super.getIndexes());
        }

        @Override
        public synchronized int count(Document query, int numberToSkip, int limit) {
            return super.count(query, numberToSkip, limit);
        }
    }
}
