/**
 * DROPS Streaming Interface streams between processes: shared control and data areas, virtual time,
 * expiry, overflow policies, blocking and non-blocking hand-off, reclaim and memory chaining.
 *
 * <p>The package holds the stream specification
 * ({@link io.dsipanama.stream.StreamSpec}, {@link io.dsipanama.stream.StreamSizing}), the shared layout
 * (the {@code *Descriptor} classes) and the naming and mapping of stream files
 * ({@link io.dsipanama.stream.StreamDirectory}, {@link io.dsipanama.stream.StreamMapping}), and the two ends
 * of a stream: {@link io.dsipanama.stream.StreamProducer} (claim, write in place, commit with a virtual time)
 * and {@link io.dsipanama.stream.StreamConsumer} (poll or take, read in place, release; every packet not
 * delivered is reported by {@link io.dsipanama.stream.LossReason}). The module README explains the ring.
 *
 * <h2>Access modes</h2>
 * Shared words are read and written through {@code ValueLayout.JAVA_INT/JAVA_LONG.varHandle()} on a
 * {@code MemorySegment} (coordinates: segment, byte offset). Every table's "ordering" column, and every
 * accessor name, uses exactly these words:
 * <table>
 *   <caption>Access-mode vocabulary</caption>
 *   <tr><th>word</th><th>VarHandle method</th><th>meaning here</th></tr>
 *   <tr><td>plain</td><td>{@code get}/{@code set} (or {@code MemorySegment.get/set})</td>
 *       <td>no ordering and no atomicity promise across threads; only for fields published by a later
 *       release (e.g. the header identity, published by {@code version}) or owned by one thread</td></tr>
 *   <tr><td>opaque</td><td>{@code getOpaque}/{@code setOpaque}</td>
 *       <td>atomic and eventually visible, in order per variable, no ordering with other variables:
 *       counters and liveness heartbeats</td></tr>
 *   <tr><td>acquire</td><td>{@code getAcquire}</td>
 *       <td>later loads and stores stay after it; sees everything written before the release store it
 *       reads from</td></tr>
 *   <tr><td>release</td><td>{@code setRelease}</td>
 *       <td>earlier loads and stores stay before it; publishes them to the acquire that reads this value.
 *       Every release store in the code carries a comment naming the acquire it pairs with</td></tr>
 *   <tr><td>volatile</td><td>{@code getVolatile}/{@code setVolatile}</td>
 *       <td>sequentially consistent: used where a store must not pass a later load of another word (the
 *       futex waiter-flag handshake, Dekker style)</td></tr>
 *   <tr><td>CAS</td><td>{@code compareAndSet}, {@code getAndAdd}</td>
 *       <td>atomic read-modify-write with volatile semantics: used where two parties may write one word
 *       (a slot's {@code state})</td></tr>
 * </table>
 * Accessors say their mode in their name ({@code acquireVersion()}, {@code releaseProducerPosition()},
 * {@code opaqueCounter()}); plain accessors have no prefix. The same modes hold across processes: the
 * words live in a {@code MAP_SHARED} mapping, and on x86-64 the JIT emits the same instructions (plain
 * moves, plus a fence for volatile stores and locked instructions for CAS) whichever process reads them.
 */
package io.dsipanama.stream;
