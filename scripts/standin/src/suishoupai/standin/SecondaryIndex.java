package suishoupai.standin;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;

/**
 * A non-unique index. mongo-java-server keeps only unique indexes and scans for every other
 * filter; this one keeps, for each prefix of the index's keys, a hash bucket of the positions
 * of the documents with those values. A query with equality ($eq or $in) on the first k keys
 * reads that bucket instead of the collection. The server still applies the whole filter, the
 * sort and the limit to what it reads, so the index can only narrow, never change, a result.
 * Array fields are indexed under each element (multikey), as in MongoDB. A sparse index also
 * answers {first key: {$exists: true}} with the documents that have a value for its first key.
 * The full keys are also kept in index order, so a sort on a prefix of the keys with a limit
 * reads the first documents in that order instead of sorting the collection (not for arrays).
 */
final class SecondaryIndex<P> extends Index<P> {

    /** Stands for null or a missing field: indexed so removal is symmetric, never looked up. */
    private static final Object NO_VALUE = new Object();
    /** More value combinations than this in one query and a shorter prefix is used. */
    private static final int MAX_COMBINATIONS = 256;

    /** bucketsByPrefix.get(i): key values of the first i + 1 keys → positions. */
    private final List<Map<List<Object>, Set<P>>> bucketsByPrefix = new ArrayList<>();
    private final Map<Object, P> positionById = new HashMap<>();
    /** Full key values in the index's order → positions. */
    private final TreeMap<List<Object>, Set<P>> ordered = new TreeMap<>(this::compareKeys);
    /** Some document had an array under a key: MongoDB sorts arrays by their smallest or largest element, so no ordered reads. */
    private boolean multikey;
    /** Sparse indexes: the documents with a value for the first key. */
    private final Set<P> withFirstKey = new LinkedHashSet<>();

    SecondaryIndex(String name, List<IndexKey> keys, boolean sparse) {
        super(name, keys, sparse);
        for (int i = 0; i < keys.size(); i++) {
            bucketsByPrefix.add(new HashMap<>());
        }
    }

    // ---- maintenance -------------------------------------------------------------------

    @Override
    public synchronized void add(Document document, P position, MongoCollection<P> collection) {
        positionById.put(idOf(document), position);
        if (isSparse() && hasFirstKey(document)) {
            withFirstKey.add(position);
        }
        for (String key : keys()) {
            multikey |= valuesAt(document, key).stream().anyMatch(value -> value instanceof Collection);
        }
        forEachPrefixKey(document, (prefix, key) -> {
            bucketsByPrefix.get(prefix).computeIfAbsent(key, k -> new LinkedHashSet<>()).add(position);
            if (prefix == keys().size() - 1) {
                ordered.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(position);
            }
        });
    }

    @Override
    public synchronized P remove(Document document) {
        P position = positionById.remove(idOf(document));
        if (position != null) {
            unlink(document, position);
        }
        return position;
    }

    @Override
    public synchronized void updateInPlace(Document oldDocument, Document newDocument, P position, MongoCollection<P> collection) {
        unlink(oldDocument, position);
        add(newDocument, position, collection);
    }

    private void unlink(Document document, P position) {
        withFirstKey.remove(position);
        forEachPrefixKey(document, (prefix, key) -> {
            removeFrom(bucketsByPrefix.get(prefix), key, position);
            if (prefix == keys().size() - 1) {
                removeFrom(ordered, key, position);
            }
        });
    }

    private void removeFrom(Map<List<Object>, Set<P>> buckets, List<Object> key, P position) {
        Set<P> bucket = buckets.get(key);
        if (bucket != null) {
            bucket.remove(position);
            if (bucket.isEmpty()) {
                buckets.remove(key);
            }
        }
    }

    @Override
    public synchronized P getPosition(Document document) {
        return positionById.get(idOf(document));
    }

    @Override
    public void checkAdd(Document document, MongoCollection<P> collection) {
        // not unique: nothing to refuse
    }

    @Override
    public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<P> collection) {
        // not unique: nothing to refuse
    }

    @Override
    public synchronized long getCount() {
        return positionById.size();
    }

    @Override
    public long getDataSize() {
        return getCount();
    }

    @Override
    public synchronized void drop() {
        positionById.clear();
        withFirstKey.clear();
        ordered.clear();
        bucketsByPrefix.forEach(Map::clear);
    }

    // ---- queries -----------------------------------------------------------------------

    @Override
    public synchronized boolean canHandle(Document query) {
        return !equalityPrefix(query).isEmpty() || asksForFirstKey(query);
    }

    /** How many positions the query would read through this index. */
    synchronized long estimate(Document query) {
        long total = 0;
        List<List<Object>> prefixValues = equalityPrefix(query);
        if (prefixValues.isEmpty()) {
            return withFirstKey.size();
        }
        Map<List<Object>, Set<P>> buckets = bucketsByPrefix.get(prefixValues.size() - 1);
        for (List<Object> key : combinations(prefixValues)) {
            Set<P> bucket = buckets.get(key);
            total += bucket == null ? 0 : bucket.size();
        }
        return total;
    }

    /** Which keys the query narrows by (for explain). */
    synchronized int prefixLength(Document query) {
        return Math.max(1, equalityPrefix(query).size());
    }

    @Override
    @SuppressWarnings("unchecked")
    public synchronized Iterable<P> getPositions(Document query) {
        List<List<Object>> prefixValues = equalityPrefix(query);
        if (prefixValues.isEmpty()) {
            return new ArrayList<>(withFirstKey);
        }
        Map<List<Object>, Set<P>> buckets = bucketsByPrefix.get(prefixValues.size() - 1);
        List<P> positions = new ArrayList<>();
        List<List<Object>> keys = combinations(prefixValues);
        for (List<Object> key : keys) {
            Set<P> bucket = buckets.get(key);
            if (bucket != null) {
                positions.addAll(bucket);
            }
        }
        // Several buckets: read in storage order, as a scan would.
        if (keys.size() > 1 && !positions.isEmpty() && positions.get(0) instanceof Comparable) {
            positions.sort((a, b) -> ((Comparable<Object>) a).compareTo(b));
        }
        return positions;
    }

    /**
     * The equality values the query gives for the longest usable prefix of the index's keys:
     * one list of candidate values per key, in key order; empty when the first key has none.
     */
    private List<List<Object>> equalityPrefix(Document query) {
        List<List<Object>> prefix = new ArrayList<>();
        long combinations = 1;
        for (String key : keys()) {
            if (!query.containsKey(key)) {
                break;
            }
            List<Object> values = equalityValues(query.get(key));
            if (values == null || values.isEmpty() || combinations * values.size() > MAX_COMBINATIONS) {
                break;
            }
            combinations *= values.size();
            prefix.add(values);
        }
        return prefix;
    }

    /**
     * Whether reading this index in order (1) or in reverse (-1) gives the documents in the
     * order of the sort; 0 when it does not: the sort's keys must be the index's first keys,
     * all in the index's directions or all reversed.
     */
    synchronized int servesSort(Document orderBy) {
        if (multikey || orderBy == null || orderBy.isEmpty() || orderBy.size() > keys().size()) {
            return 0;
        }
        int direction = 0;
        int i = 0;
        for (Map.Entry<String, Object> sortKey : orderBy.entrySet()) {
            IndexKey indexKey = getKeys().get(i++);
            if (!sortKey.getKey().equals(indexKey.getKey()) || !(sortKey.getValue() instanceof Number n) || Math.abs(n.intValue()) != 1) {
                return 0;
            }
            int keyDirection = (n.intValue() > 0) == indexKey.isAscending() ? 1 : -1;
            if (direction != 0 && keyDirection != direction) {
                return 0;
            }
            direction = keyDirection;
        }
        return direction;
    }

    /** Every position in index order (or reversed), read lazily. */
    Iterable<P> positionsInOrder(boolean reverse) {
        Collection<Set<P>> buckets = reverse ? ordered.descendingMap().values() : ordered.values();
        return () -> buckets.stream().flatMap(Set::stream).iterator();
    }

    private int compareKeys(List<Object> a, List<Object> b) {
        for (int i = 0; i < a.size(); i++) {
            Object x = a.get(i) == NO_VALUE ? null : a.get(i);
            Object y = b.get(i) == NO_VALUE ? null : b.get(i);
            int c = ValueComparator.asc().compare(x, y);
            if (c != 0) {
                return getKeys().get(i).isAscending() ? c : -c;
            }
        }
        return 0;
    }

    /** {first key: {$exists: true}} on a sparse index. */
    private boolean asksForFirstKey(Document query) {
        return isSparse()
            && query.get(keys().get(0)) instanceof Document condition
            && condition.size() == 1
            && condition.containsKey("$exists")
            && Utils.isTrue(condition.get("$exists"));
    }

    private boolean hasFirstKey(Document document) {
        return documentValues(document, keys().get(0)).stream().anyMatch(value -> value != NO_VALUE);
    }

    /** A plain value, {$eq: v} or {$in: [...]}: the values a match must have; otherwise null. */
    private static List<Object> equalityValues(Object queryValue) {
        if (queryValue instanceof Document operators) {
            if (operators.size() != 1) {
                return null;
            }
            if (operators.containsKey("$eq")) {
                Object value = operators.get("$eq");
                return isPlain(value) ? List.of(normalize(value)) : null;
            }
            if (operators.get("$in") instanceof Collection<?> candidates) {
                List<Object> values = new ArrayList<>();
                for (Object value : candidates) {
                    if (!isPlain(value)) {
                        return null;
                    }
                    values.add(normalize(value));
                }
                return values;
            }
            return null;
        }
        return isPlain(queryValue) ? List.of(normalize(queryValue)) : null;
    }

    /** Values whose equality is plain equality of normalised values (no null, array, document or regex semantics). */
    private static boolean isPlain(Object value) {
        return !Missing.isNullOrMissing(value)
            && !(value instanceof Map)
            && !(value instanceof Collection)
            && !(value instanceof BsonRegularExpression)
            && !(value instanceof Pattern);
    }

    // ---- keys --------------------------------------------------------------------------

    private interface PrefixKeyConsumer {
        void accept(int prefixIndex, List<Object> key);
    }

    private void forEachPrefixKey(Document document, PrefixKeyConsumer consumer) {
        List<List<Object>> valuesPerKey = new ArrayList<>();
        for (String key : keys()) {
            valuesPerKey.add(documentValues(document, key));
        }
        for (int prefix = 0; prefix < valuesPerKey.size(); prefix++) {
            for (List<Object> key : combinations(valuesPerKey.subList(0, prefix + 1))) {
                consumer.accept(prefix, key);
            }
        }
    }

    /** The index keys of one field: each element of an array (multikey), NO_VALUE for none. */
    private static List<Object> documentValues(Document document, String key) {
        List<Object> values = new ArrayList<>();
        for (Object value : valuesAt(document, key)) {
            if (value instanceof Collection<?> elements) {
                for (Object element : elements) {
                    values.add(Missing.isNullOrMissing(element) ? NO_VALUE : normalize(element));
                }
            } else if (!Missing.isNullOrMissing(value)) {
                values.add(normalize(value));
            }
        }
        return values.isEmpty() ? List.of(NO_VALUE) : values;
    }

    /**
     * The values a dotted path reaches, as MongoDB reads it: a number after an array is a
     * position ("effects.0"), a name after an array is read in each of its sub-documents.
     */
    private static List<Object> valuesAt(Document document, String path) {
        List<Object> values = new ArrayList<>();
        collect(document, path.split("\\."), 0, values);
        return values;
    }

    private static void collect(Object value, String[] path, int i, List<Object> into) {
        if (i == path.length) {
            into.add(value);
        } else if (value instanceof Document document) {
            if (document.containsKey(path[i])) {
                collect(document.get(path[i]), path, i + 1, into);
            }
        } else if (value instanceof List<?> list) {
            if (path[i].chars().allMatch(Character::isDigit)) {
                int position = Integer.parseInt(path[i]);
                if (position < list.size()) {
                    collect(list.get(position), path, i + 1, into);
                }
            } else {
                for (Object element : list) {
                    if (element instanceof Document) {
                        collect(element, path, i, into);
                    }
                }
            }
        }
    }

    private static List<List<Object>> combinations(List<List<Object>> valuesPerKey) {
        List<List<Object>> result = new ArrayList<>();
        result.add(List.of());
        for (List<Object> values : valuesPerKey) {
            List<List<Object>> next = new ArrayList<>(result.size() * values.size());
            for (List<Object> partial : result) {
                for (Object value : new LinkedHashSet<>(values)) {
                    List<Object> key = new ArrayList<>(partial);
                    key.add(value);
                    next.add(key);
                }
            }
            result = next;
        }
        return result;
    }

    /** MongoDB compares numbers by value whatever their type: 1, 1L and 1.0 are one key. */
    private static Object normalize(Object value) {
        if (value instanceof Number number && !(value instanceof Long && (Long) value != (long) number.doubleValue())) {
            double doubleValue = number.doubleValue();
            return doubleValue == -0.0 ? 0.0 : doubleValue;
        }
        if (value instanceof Map<?, ?> map) {
            Document normalized = new Document();
            map.forEach((k, v) -> normalized.put((String) k, normalize(v)));
            return normalized;
        }
        if (value instanceof Collection<?> elements) {
            List<Object> normalized = new ArrayList<>();
            elements.forEach(element -> normalized.add(normalize(element)));
            return normalized;
        }
        return value;
    }

    private static Object idOf(Document document) {
        Object id = document.get("_id");
        if (id == null) {
            throw new IllegalStateException("secondary indexes need documents with an _id");
        }
        return normalize(id);
    }
}
