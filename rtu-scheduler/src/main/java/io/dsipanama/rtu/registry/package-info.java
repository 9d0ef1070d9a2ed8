/**
 * The host-wide reserve registry: one shared file ({@code /dev/shm}) in which every process admits its
 * processor capacity reserves, so that admission control sees the whole host (Mercer, Savage and Tokuda's
 * reserves; Coulson and Blair's "bulletin board"). Each entry also carries the reserve's charge account,
 * which servers in other processes credit (Mercer §4.2), and its counters.
 *
 * <h2>Access modes</h2>
 * Shared words are read and written through {@code ValueLayout.JAVA_INT/JAVA_LONG.varHandle()} on a
 * {@code MemorySegment} (coordinates: segment, byte offset). Every table's "ordering" column, and every
 * accessor name, uses exactly these words (the same vocabulary as {@code io.dsipanama.stream}):
 * <table>
 *   <caption>Access-mode vocabulary</caption>
 *   <tr><th>word</th><th>VarHandle method</th><th>meaning here</th></tr>
 *   <tr><td>plain</td><td>{@code get}/{@code set}</td>
 *       <td>no ordering across threads; only for fields published by a later release (an entry's identity,
 *       published by its {@code state}) or written under the registry lock</td></tr>
 *   <tr><td>opaque</td><td>{@code getOpaque}/{@code setOpaque}</td>
 *       <td>atomic, eventually visible, in order per variable: counters, priorities, and reservation fields a
 *       modification rewrites</td></tr>
 *   <tr><td>acquire</td><td>{@code getAcquire}</td>
 *       <td>sees everything written before the release store it reads from</td></tr>
 *   <tr><td>release</td><td>{@code setRelease}</td>
 *       <td>publishes earlier stores to the acquire that reads this value; each release store names the
 *       acquire it pairs with in a comment</td></tr>
 *   <tr><td>volatile</td><td>{@code getVolatile}/{@code setVolatile}</td><td>sequentially consistent</td></tr>
 *   <tr><td>CAS</td><td>{@code compareAndSet}, {@code getAndAdd}, {@code getAndSet}</td>
 *       <td>atomic read-modify-write: the charge account, which several processes write</td></tr>
 * </table>
 * The modes hold across processes: the words live in a {@code MAP_SHARED} mapping.
 */
package io.dsipanama.rtu.registry;
