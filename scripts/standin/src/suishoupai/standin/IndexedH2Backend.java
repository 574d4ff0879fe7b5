package suishoupai.standin;

import java.lang.reflect.Field;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import io.netty.channel.Channel;

/**
 * mongo-java-server's H2 (MVStore file) backend, for data that survives a restart, with the same
 * secondary indexes as the memory backend. They are kept in memory and rebuilt from the file when
 * a database opens; unique indexes stay in the file as before.
 */
final class IndexedH2Backend extends H2Backend {

    IndexedH2Backend(String fileName) {
        super(MVStore.open(fileName));
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        return new Database(databaseName, getMvStore(), getCursorRegistry());
    }

    private static final class Database extends H2Database {

        /** H2Database keeps its store private and opens collections from its own constructor. */
        private static final Field STORE;

        static {
            try {
                STORE = H2Database.class.getDeclaredField("mvStore");
                STORE.setAccessible(true);
            } catch (NoSuchFieldException e) {
                throw new IllegalStateException("mongo-java-server's H2Database changed: no mvStore field", e);
            }
        }

        Database(String databaseName, MVStore mvStore, CursorRegistry cursorRegistry) {
            super(databaseName, mvStore, cursorRegistry);
        }

        private MVStore store() {
            try {
                return (MVStore) STORE.get(this);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        protected de.bwaldvogel.mongo.MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
            String fullName = getFullCollectionNamespace(collectionName);
            MVMap<Object, Document> dataMap = store().openMap("databases." + fullName);
            MVMap<String, Object> metaMap = store().openMap("meta." + fullName);
            return new Collection(this, collectionName, options, dataMap, metaMap, cursorRegistry);
        }

        @Override
        protected Index<Object> openOrCreateSecondaryIndex(String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
            return new SecondaryIndex<>(indexName, keys, sparse);
        }

        /** The `create` command checks and creates without the lock implicit creation takes: two at once collided. */
        @Override
        public synchronized de.bwaldvogel.mongo.MongoCollection<Object> createCollectionOrThrowIfExists(String collectionName, CollectionOptions options) {
            return super.createCollectionOrThrowIfExists(collectionName, options);
        }

        @Override
        public Document handleCommand(Channel channel, String command, Document query, DatabaseResolver databaseResolver, Oplog oplog) {
            Document answer = StandInCommands.handle(this, command, query, databaseResolver, oplog);
            return answer != null ? answer : super.handleCommand(channel, command, query, databaseResolver, oplog);
        }
    }

    private static final class Collection extends H2Collection {

        Collection(MongoDatabase database, String collectionName, CollectionOptions options,
                   MVMap<Object, Document> dataMap, MVMap<String, Object> metaMap, CursorRegistry cursorRegistry) {
            super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit, int batchSize, Document fieldSelector) {
            QueryPlanner.Plan<Object> plan = QueryPlanner.plan(getIndexes(), query, orderBy, limit);
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
        public synchronized void addIndex(Index<Object> index) {
            super.addIndex(index);
        }

        @Override
        public synchronized void dropIndex(String indexName) {
            super.dropIndex(indexName);
        }

        @Override
        public synchronized List<Index<Object>> getIndexes() {
            return List.copyOf(super.getIndexes());
        }

        @Override
        public synchronized int count(Document query, int numberToSkip, int limit) {
            return super.count(query, numberToSkip, limit);
        }
    }
}
