package suishoupai.standin;

import java.util.List;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.AbstractMongoCollection;
import de.bwaldvogel.mongo.backend.AbstractMongoDatabase;
import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;

/**
 * Commands the stand-in answers itself before mongo-java-server does:
 * - `explain` of a find, count, distinct, findAndModify, update, delete or aggregate, with
 *   the index the stand-in would read (mongo-java-server has no explain), so the test that
 *   every hot query is served by an index runs here as on MongoDB;
 * - `aggregate` whose first stage is `$match`: the match is read through the indexes instead
 *   of the whole collection (the driver's countDocuments is such an aggregate).
 * Anything else answers null and goes to mongo-java-server unchanged.
 */
final class StandInCommands {

    private StandInCommands() {
    }

    static <P> Document handle(AbstractMongoDatabase<P> database, String command, Document query,
                               DatabaseResolver databaseResolver, Oplog oplog) {
        if (command.equalsIgnoreCase("explain")) {
            return explain(database, query);
        }
        if (command.equalsIgnoreCase("aggregate")) {
            return aggregateFromIndex(database, query, databaseResolver, oplog);
        }
        return null;
    }

    private static <P> Document explain(AbstractMongoDatabase<P> database, Document query) {
        if (!(query.get("explain") instanceof Document inner) || inner.isEmpty()) {
            return null;
        }
        String innerCommand = inner.keySet().iterator().next();
        if (!(inner.get(innerCommand) instanceof String collectionName)) {
            return null;
        }
        String command = innerCommand.toLowerCase();
        Document filter = filterOf(command, inner);
        Document orderBy = command.equals("find") || command.equals("findandmodify") ? asDocument(inner.get("sort")) : new Document();
        int limit = command.equals("find") && inner.get("limit") instanceof Number n ? Math.abs(n.intValue())
            : command.equals("findandmodify") ? 1 : 0;
        MongoCollection<P> collection = database.resolveCollection(collectionName, false);
        List<Index<P>> indexes = collection instanceof AbstractMongoCollection<P> c ? c.getIndexes() : List.of();
        String namespace = database.getDatabaseName() + "." + collectionName;
        return new Document("explainVersion", "1")
            .append("queryPlanner", QueryPlanner.explain(namespace, indexes, filter, orderBy, limit))
            .append("command", inner)
            .append("ok", 1.0);
    }

    private static Document filterOf(String command, Document inner) {
        return switch (command) {
            case "find" -> asDocument(inner.get("filter"));
            case "count", "distinct", "findandmodify" -> asDocument(inner.get("query"));
            case "update" -> firstStatement(inner.get("updates"), "q");
            case "delete" -> firstStatement(inner.get("deletes"), "q");
            case "aggregate" -> leadingMatch(inner.get("pipeline"));
            default -> new Document();
        };
    }

    private static Document firstStatement(Object statements, String field) {
        if (statements instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Document statement) {
            return asDocument(statement.get(field));
        }
        return new Document();
    }

    private static Document leadingMatch(Object pipeline) {
        if (pipeline instanceof List<?> stages && !stages.isEmpty() && stages.get(0) instanceof Document first
            && first.get("$match") instanceof Document match) {
            return match;
        }
        return new Document();
    }

    private static Document asDocument(Object value) {
        return value instanceof Document document ? document : new Document();
    }

    private static <P> Document aggregateFromIndex(AbstractMongoDatabase<P> database, Document query,
                                                   DatabaseResolver databaseResolver, Oplog oplog) {
        if (!(query.get("aggregate") instanceof String collectionName) || query.containsKey("explain")) {
            return null;
        }
        if (!(query.get("pipeline") instanceof List<?> stages) || stages.isEmpty()) {
            return null;
        }
        for (Object stage : stages) {
            if (!(stage instanceof Document document)
                || document.containsKey("$out") || document.containsKey("$merge") || document.containsKey("$changeStream")) {
                return null;
            }
        }
        Document match = leadingMatch(stages);
        if (match.isEmpty()) {
            return null;
        }
        MongoCollection<P> collection = database.resolveCollection(collectionName, false);
        if (!(collection instanceof AbstractMongoCollection<P> c) || QueryPlanner.plan(c.getIndexes(), match, null, 0) == null) {
            return null;
        }
        List<Document> pipeline = Aggregation.parse(stages);
        Aggregation aggregation = Aggregation.fromPipeline(pipeline.subList(1, pipeline.size()), databaseResolver, database, collection, oplog);
        aggregation.validate(query);
        List<Document> result = aggregation.runStages(collection.handleQueryAsStream(match));
        Document cursor = new Document("id", 0L)
            .append("ns", database.getDatabaseName() + "." + collectionName)
            .append("firstBatch", result);
        return new Document("cursor", cursor).append("ok", 1.0);
    }
}
