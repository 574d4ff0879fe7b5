package suishoupai.standin;

import java.util.List;

import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.bson.Document;

/** Picks the index that reads the fewest documents for a filter, as MongoDB's planner would aim to. */
final class QueryPlanner {

    private QueryPlanner() {
    }

    static <P> Index<P> choose(List<Index<P>> indexes, Document filter) {
        if (filter == null || filter.isEmpty()) {
            return null;
        }
        Index<P> best = null;
        long bestCost = Long.MAX_VALUE;
        for (Index<P> index : indexes) {
            if (!index.canHandle(filter)) {
                continue;
            }
            // A unique index reads at most one document per value.
            long cost = index instanceof SecondaryIndex<P> secondary ? secondary.estimate(filter) : 0;
            if (cost < bestCost) {
                best = index;
                bestCost = cost;
            }
        }
        return best;
    }

    /** The queryPlanner section of an explain answer, in MongoDB's shape. */
    static <P> Document explain(String namespace, List<Index<P>> indexes, Document filter) {
        Index<P> index = choose(indexes, filter);
        Document plan;
        if (index == null) {
            plan = new Document("stage", "COLLSCAN").append("filter", filter == null ? new Document() : filter).append("direction", "forward");
        } else {
            Document keyPattern = new Document();
            for (IndexKey key : index.getKeys()) {
                keyPattern.put(key.getKey(), key.isAscending() ? 1 : -1);
            }
            Document scan = new Document("stage", "IXSCAN")
                .append("keyPattern", keyPattern)
                .append("indexName", index.getName())
                .append("isUnique", index.isUnique());
            if (index instanceof SecondaryIndex<P> secondary) {
                scan.append("keysUsed", secondary.prefixLength(filter));
            }
            plan = new Document("stage", "FETCH").append("inputStage", scan);
        }
        return new Document("namespace", namespace)
            .append("parsedQuery", filter == null ? new Document() : filter)
            .append("winningPlan", plan)
            .append("rejectedPlans", List.of());
    }
}
