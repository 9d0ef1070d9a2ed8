/**
 * Coulson and Blair's upcall-driven API on the scheduler: {@link io.dsipanama.rtu.port.RtPort}s with
 * {@link io.dsipanama.rtu.port.RtHandler}s, connected with a {@link io.dsipanama.rtu.port.QoS} (rate, jitter,
 * delay) by {@link io.dsipanama.rtu.port.RtPorts#connect} or into pipelines; in one process the buffers pass by
 * reference, across processes through a DSI stream, with the same handler code. See the module README,
 * "Ports, connect and pipelines".
 */
package io.dsipanama.rtu.port;
