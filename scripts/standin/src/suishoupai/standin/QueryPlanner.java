package suishoupai.standin;

import java.util.List;

import de.bwaldvogel.mongo.backend.AbstractUniqueIndex;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.bson.Document;

/**
 * How the stand-in reads a query, as MongoDB's planner would aim to: the index whose keys the
 * filter pins down and that reads the fewest documents; or, for a sort with a limit that no
 * narrow index serves, an index already in the sort's order, read until the limit is met.
 */
final class QueryPlanner {

    /** An equality plan reading more than this loses to reading in sort order. */
    private static final long ORDERED_READ_BELOW = 2000;

    private QueryPlanner() {
    }

    /**
     * @param lookup  the part of the filter the index is asked with
     * @param order   0: read the index's matches; 1 or -1: read the whole index in (reverse) order
     */
    record Plan<P>(Index<P> index, Document lookup, int order) {

        Iterable<P> positions() {
            return order == 0 ? index.getPositions(lookup) : ((SecondaryIndex<P>) index).positionsInOrder(order < 0);
        }
    }

    static <P> Plan<P> plan(List<Index<P>> indexes, Document filter, Document orderBy, int limit) {
        Plan<P> best = null;
        long bestCost = Long.MAX_VALUE;
        if (filter != null && !filter.isEmpty()) {
            for (Index<P> index : indexes) {
                Document lookup = index.canHandle(filter) ? filter : uniqueKeysOf(index, filter);
                if (lookup == null) {
                    continue;
                }
                // A unique index reads at most one document per value.
                long cost = index instanceof SecondaryIndex<P> secondary ? secondary.estimate(lookup) : 0;
                if (cost < bestCost) {
                    best = new Plan<>(index, lookup, 0);
                    bestCost = cost;
                }
            }
        }
        if (limit > 0 && bestCost > ORDERED_READ_BELOW) {
            for (Index<P> index : indexes) {
                if (index instanceof SecondaryIndex<P> secondary) {
                    int order = secondary.servesSort(orderBy);
                    if (order != 0) {
                        return new Plan<>(index, filter, order);
                    }
                }
            }
        }
        return best;
    }

    /**
     * The filter's equality values for all of a unique index's keys, when the filter has more
     * conditions than those (mongo-java-server's unique indexes only take exactly their keys).
     */
    private static <P> Document uniqueKeysOf(Index<P> index, Document filter) {
        if (!(index instanceof AbstractUniqueIndex<P>)) {
            return null;
        }
        Document keys = new Document();
        for (IndexKey key : index.getKeys()) {
            Object value = filter.get(key.getKey());
            if (value == null || value instanceof Document || value instanceof java.util.Collection) {
                return null;
            }
            keys.put(key.getKey(), value);
        }
        return index.canHandle(keys) ? keys : null;
    }

    /** The queryPlanner section of an explain answer, in MongoDB's shape. */
    static <P> Document explain(String namespace, List<Index<P>> indexes, Document filter, Document orderBy, int limit) {
        Plan<P> plan = plan(indexes, filter, orderBy, limit);
        Document winningPlan;
        if (plan == null) {
            winningPlan = new Document("stage", "COLLSCAN").append("filter", filter).append("direction", "forward");
        } else {
            Document keyPattern = new Document();
            for (IndexKey key : plan.index().getKeys()) {
                keyPattern.put(key.getKey(), key.isAscending() ? 1 : -1);
            }
            Document scan = new Document("stage", "IXSCAN")
                .append("keyPattern", keyPattern)
                .append("indexName", plan.index().getName())
                .append("isUnique", plan.index().isUnique())
                .append("direction", plan.order() < 0 ? "backward" : "forward");
            if (plan.order() == 0 && plan.index() instanceof SecondaryIndex<P> secondary) {
                scan.append("keysUsed", secondary.prefixLength(plan.lookup()));
            }
            winningPlan = new Document("stage", "FETCH").append("inputStage", scan);
        }
        return new Document("namespace", namespace)
            .append("parsedQuery", filter)
            .append("winningPlan", winningPlan)
            .append("rejectedPlans", List.of());
    }
}
