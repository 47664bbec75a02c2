/**
 * JMH benchmarks of nodemesh's pure-Java hot paths at 1k and 10k services × 10 backends. Each benchmark class has a
 * {@code floor} benchmark that does the trivial version of the same work on the same data (copying, comparing or
 * serializing it), so {@link io.nodemesh.bench.ResultsTable} can print every result as a ratio to its floor: a ratio
 * holds across machines where the absolute time does not.
 */
package io.nodemesh.bench;
