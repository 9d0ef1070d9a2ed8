/**
 * What the modules above the bindings share that is not the binding of a C header (so the layout probe, which
 * checks every constant of {@code io.dsipanama.ffm} against the C headers, does not look here): a process named
 * by pid and start time ({@link io.dsipanama.ffm.support.ProcessIdentity}), used wherever shared memory records a
 * process (stream peers, chain holders, reserve-registry entries), and the row type of the offset tables that
 * every {@code *Descriptor} of a shared-memory layout keeps ({@link io.dsipanama.ffm.support.LayoutField}).
 */
package io.dsipanama.ffm.support;
