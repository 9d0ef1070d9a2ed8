/**
 * DSI streams as trigger sources: {@link io.dsipanama.rtu.stream.StreamTrigger} fires a reactive upcall when a
 * stream's producer, in any process, publishes.
 */
package io.dsipanama.rtu.stream;
